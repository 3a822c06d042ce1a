using System.Reflection;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Microsoft.AspNetCore.Razor.TagHelpers;

namespace PeerChat.AspNetCore.TagHelpers;

/// <summary>
/// <c>&lt;peer-chat&gt;</c> in a Razor view: renders the element with its attributes unchanged and, once per page,
/// the module script <c>/_content/PeerChat.AspNetCore/peer-chat.js?v={content hash}</c> (under the request's
/// <c>PathBase</c>). Adds <c>path</c> (the route given to <c>MapPeerSignaling</c>) unless the view sets it, with TURN
/// configured <c>ice-servers-url</c> (<c>{path}/ice</c>) unless the view sets it, and
/// with <c>asp-name-from-user="true"</c> sets <c>name</c> to the signed-in user's name.
/// Enable with <c>@addTagHelper *, PeerChat.AspNetCore</c>.
/// </summary>
[HtmlTargetElement("peer-chat")]
public sealed class PeerChatTagHelper : TagHelper
{
    /// <summary>Where the package serves the component's script, under the application's path base.</summary>
    public const string ScriptPath = "/_content/PeerChat.AspNetCore/peer-chat.js";

    private static readonly object ScriptRenderedKey = new();
    private static readonly string ScriptVersion = typeof(PeerChatTagHelper).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "PeerChatBundleHash").Value!;

    private readonly PeerSignalingEndpoint? _endpoint;
    private readonly SignalingHub? _hub;

    /// <summary>Made by Razor; the endpoint is known once <c>AddPeerSignaling()</c> and <c>MapPeerSignaling</c> ran.</summary>
    public PeerChatTagHelper(IServiceProvider services)
    {
        _endpoint = services.GetService(typeof(PeerSignalingEndpoint)) as PeerSignalingEndpoint;
        _hub = services.GetService(typeof(SignalingHub)) as SignalingHub;
    }

    /// <summary>When true, <c>name</c> is the signed-in user's <c>User.Identity.Name</c> (a <c>name</c> in the view stays for anonymous visitors).</summary>
    [HtmlAttributeName("asp-name-from-user")]
    public bool NameFromUser { get; set; }

    /// <summary>The view's context (set by Razor).</summary>
    [ViewContext]
    [HtmlAttributeNotBound]
    public ViewContext ViewContext { get; set; } = default!;

    /// <inheritdoc />
    public override void Process(TagHelperContext context, TagHelperOutput output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var http = ViewContext.HttpContext;
        var pathBase = http.Request.PathBase;

        if (_endpoint?.Path is { } path && !output.Attributes.ContainsName("path"))
        {
            output.Attributes.SetAttribute("path", pathBase.Add(path).ToString());
        }
        if (_endpoint?.Path is { } mapped && _hub?.Options.Turn.IsConfigured == true && !output.Attributes.ContainsName("ice-servers-url"))
        {
            output.Attributes.SetAttribute("ice-servers-url", pathBase.Add(mapped.TrimEnd('/') + "/ice").ToString());
        }
        if (NameFromUser && http.User.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name })
        {
            output.Attributes.SetAttribute("name", name);
        }

        if (!http.Items.ContainsKey(ScriptRenderedKey))
        {
            http.Items[ScriptRenderedKey] = true;
            var src = $"{pathBase}{ScriptPath}?v={ScriptVersion}";
            output.PreElement.AppendHtml($"<script type=\"module\" src=\"{HtmlEncoder.Default.Encode(src)}\"></script>");
        }
    }
}
