using Microsoft.AspNetCore.Authentication.Cookies;

// Signaling is many small frames, and each one hopped from the socket's I/O thread to the thread pool and back at
// every layer (runtime, Kestrel, the application). This site runs them on the I/O thread instead, as no request here
// blocks (bench:signaling at 500 relays/s: 8.4 → 5.8 % of a core). The runtime reads the variable when the first
// socket is made, so it is set before the host starts; DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=0 turns both off.
var inlineIo = Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") ?? "1";
Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", inlineIo);

var builder = WebApplication.CreateBuilder(args);
builder.WebHost.UseSockets(options => options.UnsafePreferInlineScheduling = inlineIo == "1");
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
