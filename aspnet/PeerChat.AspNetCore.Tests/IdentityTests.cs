using System.Net;
using System.Net.WebSockets;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace PeerChat.AspNetCore.Tests;

/// <summary>
/// <c>MapPeerSignaling(…).RequireAuthorization()</c> with a real cookie sign-in, and
/// <see cref="PeerSignalingOptions.IdFromUser"/>, over Kestrel.
/// </summary>
public class IdentityTests
{
    private static Task<TestServer> StartAsync(bool idFromUser) => TestServer.StartAsync(
        o =>
        {
            if (idFromUser)
            {
                o.IdFromUser = user => user.Identity?.Name;
            }
        },
        configureBuilder: builder =>
        {
            builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie();
            builder.Services.AddAuthorization();
        },
        configureApp: (app, group) =>
        {
            group.RequireAuthorization();
            // Name-only sign-in, as in demo/aspnet.
            app.MapGet("/signin/{name}", async (HttpContext context, string name) =>
            {
                var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, name)], CookieAuthenticationDefaults.AuthenticationScheme);
                await context.SignInAsync(new ClaimsPrincipal(identity));
            });
        });

    private static async Task<(HttpClient Http, CookieContainer Cookies)> SignInAsync(TestServer server, string name)
    {
        var cookies = new CookieContainer();
        var http = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = server.BaseUri };
        (await http.GetAsync($"/signin/{name}")).EnsureSuccessStatusCode();
        return (http, cookies);
    }

    [Fact]
    public async Task RequireAuthorization_answers_401_to_anonymous_REST_and_WebSocket_and_lets_a_signed_in_cookie_through()
    {
        await using var server = await StartAsync(idFromUser: false);

        foreach (var route in new[] { "", "peerjs/id", "peerjs/peers" })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await server.Http.GetAsync(route)).StatusCode);
        }
        var refused = await Assert.ThrowsAsync<WebSocketException>(() => server.ConnectAsync("key=peerjs&id=a&token=t"));
        Assert.Contains("401", refused.Message);
        // Browsers send CORS preflights without credentials: they stay anonymous.
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "peerjs/id");
        preflight.Headers.Add("Origin", "http://site.test");
        preflight.Headers.Add("Access-Control-Request-Method", "GET");
        Assert.Equal(HttpStatusCode.NoContent, (await server.Http.SendAsync(preflight)).StatusCode);

        var (http, cookies) = await SignInAsync(server, "alice");
        using (http)
        {
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("peerjs/id")).StatusCode);
            using var socket = await server.ConnectAsync("key=peerjs&id=any&token=t", cookies: cookies);
            Assert.Equal("""{"type":"OPEN"}""", await socket.ReceiveAsync());
        }
    }

    [Fact]
    public async Task IdFromUser_lets_only_alice_take_alice_and_hands_her_id_out()
    {
        await using var server = await StartAsync(idFromUser: true);
        var (aliceHttp, alice) = await SignInAsync(server, "alice");
        var (bobHttp, bob) = await SignInAsync(server, "bob");
        using (aliceHttp)
        using (bobHttp)
        {
            Assert.Equal("alice", await aliceHttp.GetStringAsync("peerjs/id"));
            Assert.Equal("bob", await bobHttp.GetStringAsync("peerjs/id"));

            using var thief = await server.ConnectAsync("key=peerjs&id=alice&token=t", cookies: bob);
            Assert.Equal("""{"type":"ERROR","payload":{"msg":"ID is not allowed for this user"}}""", await thief.ReceiveAsync());
            Assert.NotNull(await thief.WaitForCloseAsync());

            using var owner = await server.ConnectAsync("key=peerjs&id=alice&token=tab1", cookies: alice);
            Assert.Equal("""{"type":"OPEN"}""", await owner.ReceiveAsync());

            // A second tab of the same user asks for the same id with its own token: the id is taken, as for
            // anyone (peerjs reports "unavailable-id"); the first tab keeps it.
            using var secondTab = await server.ConnectAsync("key=peerjs&id=alice&token=tab2", cookies: alice);
            Assert.Equal("""{"type":"ID-TAKEN","payload":{"msg":"ID is taken"}}""", await secondTab.ReceiveAsync());
            Assert.Equal(["alice"], await server.Services.GetRequiredService<SignalingHub>().GetClientIdsAsync());

            // The first tab reconnecting with its own token is still itself.
            using var reconnect = await server.ConnectAsync("key=peerjs&id=alice&token=tab1", cookies: alice);
            using var bobSocket = await server.ConnectAsync("key=peerjs&id=bob&token=b", cookies: bob);
            Assert.Equal("""{"type":"OPEN"}""", await bobSocket.ReceiveAsync());
            await bobSocket.SendAsync(new { type = "OFFER", dst = "alice", payload = new { sdp = "x" } });
            Assert.Equal("""{"type":"OFFER","src":"bob","dst":"alice","payload":{"sdp":"x"}}""", await reconnect.ReceiveAsync());
        }
    }

    [Fact]
    public async Task IdFromUser_refuses_a_socket_without_a_user()
    {
        var hub = HubFactory.Create(new ManualTime(), o => o.IdFromUser = user => user.Identity?.IsAuthenticated == true ? user.Identity.Name : null);
        var anonymous = new FakeConnection();
        Assert.Null(await hub.ConnectAsync("alice", "t", "peerjs", anonymous, new ClaimsPrincipal(new ClaimsIdentity())));
        Assert.Equal(["""{"type":"ERROR","payload":{"msg":"ID is not allowed for this user"}}"""], anonymous.Sent);
        var noUser = new FakeConnection();
        Assert.Null(await hub.ConnectAsync("alice", "t", "peerjs", noUser));
        Assert.NotNull(noUser.ClosedWith);
        Assert.Null(hub.GenerateClientId(new ClaimsPrincipal(new ClaimsIdentity())));
    }
}
