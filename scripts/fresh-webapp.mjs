// Does what the README's ASP.NET section says, on a brand-new `dotnet new webapp`: pack the package,
// `dotnet add package PeerChat.AspNetCore`, the two lines in Program.cs, the tag helper in
// _ViewImports.cshtml, <peer-chat></peer-chat> in the home page, then `dotnet publish`. The result,
// artifacts/fresh-webapp/publish/FreshSite.dll, is what test/fresh-webapp.test.ts runs in browsers.
// Runs before the network namespace (NuGet restores here, not inside it).
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const feed = `${root}artifacts/packages`;
const site = `${root}artifacts/fresh-webapp`;
const env = {
  ...process.env,
  DOTNET_CLI_TELEMETRY_OPTOUT: '1',
  DOTNET_NOLOGO: '1',
  // The site's own package folder, so no older PeerChat.AspNetCore 0.1.0 from a shared cache is used.
  NUGET_PACKAGES: `${site}/.nuget-packages`,
};
const dotnet = (args, cwd = site) => execFileSync('dotnet', args, { cwd, env, stdio: ['ignore', 'inherit', 'inherit'] });

dotnet(['pack', 'aspnet', '-c', 'Release', '-o', feed, '--nologo', '-v', 'q'], root);

rmSync(site, { recursive: true, force: true });
mkdirSync(site, { recursive: true });
dotnet(['new', 'webapp', '--name', 'FreshSite', '--output', '.', '--no-restore']);
// Where this machine gets packages: its offline folder and the freshly packed feed (a user has nuget.org).
writeFileSync(`${site}/nuget.config`, `<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="offline" value="/opt/nuget/packages" />
    <add key="peer-chat" value="${feed}" />
  </packageSources>
</configuration>
`);

// The README's steps, exactly.
dotnet(['add', 'package', 'PeerChat.AspNetCore']);
const program = readFileSync(`${site}/Program.cs`, 'utf8');
const edited = program
  .replace('builder.Services.AddRazorPages();', 'builder.Services.AddRazorPages();\nbuilder.Services.AddPeerSignaling();')
  .replace('app.Run();', 'app.MapPeerSignaling("/peerjs");\n\napp.Run();');
if (!edited.includes('AddPeerSignaling') || !edited.includes('MapPeerSignaling')) throw new Error('Program.cs of the template changed shape');
writeFileSync(`${site}/Program.cs`, edited);
appendFileSync(`${site}/Pages/_ViewImports.cshtml`, '@addTagHelper *, PeerChat.AspNetCore\n');
appendFileSync(`${site}/Pages/Index.cshtml`, '\n<peer-chat></peer-chat>\n');

dotnet(['publish', '-c', 'Release', '-o', 'publish', '--nologo', '-v', 'q']);
console.log(`fresh webapp published: ${site}/publish/FreshSite.dll`);
