using System.Reflection;
using Microsoft.Extensions.FileProviders;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddRazorPages();
// Options from configuration, e.g. appsettings.json "PeerSignaling": { "ExpireTimeout": "00:00:05" }
// or the environment: PeerSignaling__AliveTimeout=00:01:00, PeerSignaling__AllowDiscovery=true.
builder.Services.AddPeerSignaling(options => builder.Configuration.GetSection("PeerSignaling").Bind(options));

var app = builder.Build();

app.UseStaticFiles();
// /peer-chat.js comes straight from the repository's dist/ (built by `npm run build` at the root).
// "PeerChat:Dist" overrides the location, e.g. for a published copy.
var dist = app.Configuration["PeerChat:Dist"]
    ?? typeof(Program).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .First(a => a.Key == "PeerChatDist").Value!;
if (Directory.Exists(dist))
{
    app.UseStaticFiles(new StaticFileOptions { FileProvider = new PhysicalFileProvider(Path.GetFullPath(dist)) });
}
else
{
    app.Logger.LogWarning("{Dist} not found: run `npm run build` at the repository root to build peer-chat.js.", dist);
}

app.MapPeerSignaling("/peerjs");
app.MapRazorPages();

app.Run();
