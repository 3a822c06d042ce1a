using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.AspNetCore.Razor.TagHelpers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PeerChat.AspNetCore.TagHelpers;

namespace PeerChat.AspNetCore.Tests;

public class TagHelperTests
{
    private static readonly string RepositoryRoot = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../"));

    private static (TagHelperOutput Output, string Html) Render(HttpContext http, IServiceProvider services, TagHelperAttributeList attributes, bool nameFromUser = false)
    {
        var helper = new PeerChatTagHelper(services)
        {
            NameFromUser = nameFromUser,
            ViewContext = new ViewContext { HttpContext = http },
        };
        var context = new TagHelperContext("peer-chat", new TagHelperAttributeList(attributes), new Dictionary<object, object>(), "id");
        var output = new TagHelperOutput("peer-chat", attributes, (_, _) => Task.FromResult<TagHelperContent>(new DefaultTagHelperContent()));
        helper.Process(context, output);
        using var writer = new StringWriter();
        output.WriteTo(writer, System.Text.Encodings.Web.HtmlEncoder.Default);
        return (output, writer.ToString());
    }

    private static IServiceProvider MappedAt(string? path)
    {
        var services = new ServiceCollection();
        services.AddPeerSignaling();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        var provider = services.BuildServiceProvider();
        if (path is not null)
        {
            provider.GetRequiredService<PeerSignalingEndpoint>().Map(path);
        }
        return provider;
    }

    [Fact]
    public void Renders_the_script_once_per_page_with_the_content_hash_under_the_path_base()
    {
        var http = new DefaultHttpContext();
        http.Request.PathBase = "/app";
        var services = MappedAt("/peerjs");

        var (_, first) = Render(http, services, [new("key", "k"), new("peer-id", "x"), new("ice-servers", "[]")]);
        var (_, second) = Render(http, services, []);

        var hash = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(RepositoryRoot, "dist/peer-chat.js"))))[..16];
        Assert.Equal($"""<script type="module" src="/app/_content/PeerChat.AspNetCore/peer-chat.js?v={hash}"></script><peer-chat key="k" peer-id="x" ice-servers="[]" path="/app/peerjs"></peer-chat>""", first);
        Assert.Equal("""<peer-chat path="/app/peerjs"></peer-chat>""", second);
    }

    [Fact]
    public void A_path_in_the_view_wins_and_no_path_is_added_when_the_endpoint_is_not_mapped()
    {
        var (_, written) = Render(new DefaultHttpContext(), MappedAt("/peerjs"), [new("path", "/elsewhere")]);
        Assert.EndsWith("""<peer-chat path="/elsewhere"></peer-chat>""", written);
        var (_, unmapped) = Render(new DefaultHttpContext(), MappedAt(null), []);
        Assert.EndsWith("<peer-chat></peer-chat>", unmapped);
    }

    [Fact]
    public void Name_from_user_uses_the_signed_in_name_and_keeps_the_views_name_for_visitors()
    {
        var signedIn = new DefaultHttpContext
        {
            User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "Alice <&>")], "test")),
        };
        var (_, html) = Render(signedIn, MappedAt("/p"), [new("name", "Guest")], nameFromUser: true);
        Assert.Contains("""name="Alice &lt;&amp;&gt;" """.TrimEnd(), html);

        var (_, visitor) = Render(new DefaultHttpContext(), MappedAt("/p"), [new("name", "Guest")], nameFromUser: true);
        Assert.Contains("""name="Guest" """.TrimEnd(), visitor);
        var (_, off) = Render(signedIn, MappedAt("/p"), [new("name", "Guest")]);
        Assert.Contains("""name="Guest" """.TrimEnd(), off);
    }
}
