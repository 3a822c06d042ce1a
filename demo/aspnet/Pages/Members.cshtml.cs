using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace PeerChatDemo.Pages;

public class MembersModel(IConfiguration configuration) : PageModel
{
    public bool IdsFromUsers { get; } = configuration.GetValue<bool>("PeerChatDemo:IdsFromUsers");

    public async Task<IActionResult> OnPostSignOutAsync()
    {
        await HttpContext.SignOutAsync();
        return RedirectToPage("/Index");
    }
}
