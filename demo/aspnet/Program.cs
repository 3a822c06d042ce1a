using Microsoft.AspNetCore.Authentication.Cookies;

var builder = WebApplication.CreateBuilder(args);
// A minimal cookie sign-in (a name, no password: for the demo only) in front of the /Members page.
builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
    .AddCookie(options => options.LoginPath = "/SignIn");
builder.Services.AddRazorPages(options => options.Conventions.AuthorizePage("/Members"));

// Options come from the "PeerSignaling" configuration section: appsettings.json, or the environment
// (PeerSignaling__AliveTimeout=00:01:00, PeerSignaling__AllowDiscovery=true).
var signalingBuilder = builder.Services.AddPeerSignaling();
// PeerSignaling__Redis=127.0.0.1:6379: instances of the site sharing one Redis signal as one (docs/scale-out.md).
if (builder.Configuration["PeerSignaling:Redis"] is { Length: > 0 } redis)
{
    signalingBuilder.AddStackExchangeRedis(redis);
}
// PeerChatDemo__IdsFromUsers=true: every peer id is its user's name, so only signed-in users can signal
// (the anonymous home page then cannot register). Off by default: the conformance suite uses any ids.
var idsFromUsers = builder.Configuration.GetValue<bool>("PeerChatDemo:IdsFromUsers");
if (idsFromUsers)
{
    builder.Services.Configure<PeerChat.AspNetCore.PeerSignalingOptions>(options => options.IdFromUser = user => user.Identity?.Name);
}
builder.Services.AddHealthChecks().AddPeerSignaling();

var app = builder.Build();

app.MapStaticAssets();
app.MapHealthChecks("/healthz");
var signaling = app.MapPeerSignaling("/peerjs");
if (idsFromUsers)
{
    signaling.RequireAuthorization();
}
app.MapRazorPages().WithStaticAssets();

app.Run();
