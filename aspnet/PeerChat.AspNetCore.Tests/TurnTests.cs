using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.AspNetCore.Razor.TagHelpers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PeerChat.AspNetCore.Http;
using PeerChat.AspNetCore.TagHelpers;

namespace PeerChat.AspNetCore.Tests;

/// <summary>TURN REST API credentials at <c>GET {path}/ice</c>, their options, and the tag helper's <c>ice-servers-url</c>.</summary>
public class TurnTests
{
    // Vectors from `echo -n USERNAME | openssl dgst -sha1 -hmac SECRET -binary | base64` (the same in test/node).
    [Theory]
    [InlineData("north", "alice", 1700000000L, "1700000000:alice", "Cd/49soE35ICqcJF/bCTn8Z4OyE=")]
    [InlineData("coturn static secret", "bob", 1700003600L, "1700003600:bob", "MN89yx7WoLsTKgnRT5g3nuIboi8=")]
    public void Credentials_match_known_HMAC_SHA1_vectors(string secret, string user, long expiry, string username, string credential)
    {
        Assert.Equal((username, credential), TurnCredentials.Create(secret, user, DateTimeOffset.FromUnixTimeSeconds(expiry)));
    }

    [Fact]
    public void The_user_is_the_signed_in_name_else_a_random_token()
    {
        var alice = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "alice")], "test"));
        Assert.Equal("alice", TurnCredentials.UserOf(alice));
        var first = TurnCredentials.UserOf(new ClaimsPrincipal(new ClaimsIdentity()));
        var second = TurnCredentials.UserOf(new ClaimsPrincipal(new ClaimsIdentity()));
        Assert.Matches("^[0-9a-f]{24}$", first);
        Assert.NotEqual(first, second);
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    [InlineData(86400, true)]
    [InlineData(86401, false)]
    public void The_lifetime_is_from_one_second_to_one_day(int seconds, bool valid)
    {
        var options = new PeerSignalingOptions { Turn = { Secret = "s", CredentialLifetime = TimeSpan.FromSeconds(seconds) } };
        options.Turn.Urls.Add("turn:turn.test:3478");
        Assert.Equal(valid, new PeerSignalingTurnOptionsValidator().Validate(null, options).Succeeded);
    }

    [Fact]
    public void Urls_and_secret_go_together_and_urls_are_turn_urls()
    {
        var urlsOnly = new PeerSignalingOptions();
        urlsOnly.Turn.Urls.Add("turn:turn.test");
        Assert.Contains("Turn.Urls: Urls and Secret go together", new PeerSignalingTurnOptionsValidator().Validate(null, urlsOnly).FailureMessage);
        var secretOnly = new PeerSignalingOptions { Turn = { Secret = "s" } };
        Assert.True(new PeerSignalingTurnOptionsValidator().Validate(null, secretOnly).Failed);
        var stun = new PeerSignalingOptions { Turn = { Secret = "s" } };
        stun.Turn.Urls.Add("stun:turn.test");
        Assert.Contains("Turn.Urls[0]: must be a turn: or turns: URL (was \"stun:turn.test\")", new PeerSignalingTurnOptionsValidator().Validate(null, stun).FailureMessage);
        Assert.True(new PeerSignalingTurnOptionsValidator().Validate(null, new PeerSignalingOptions()).Succeeded);
    }

    [Fact]
    public async Task Invalid_turn_options_stop_the_application_at_start()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => TestServer.StartAsync(o => o.Turn.CredentialLifetime = TimeSpan.FromDays(2)));
        Assert.Contains("Turn.CredentialLifetime", error.Message);
    }

    [Fact]
    public async Task Ice_answers_credentials_valid_for_the_lifetime_from_the_injected_clock()
    {
        var time = new ManualTime();
        await using var server = await TestServer.StartAsync(
            o =>
            {
                o.Turn.Urls.Add("turn:turn.test:3478");
                o.Turn.Urls.Add("turns:turn.test:5349");
                o.Turn.Secret = "north";
                o.Turn.CredentialLifetime = TimeSpan.FromMinutes(10);
            },
            configureBuilder: builder => builder.Services.AddSingleton<TimeProvider>(time));

        using var response = await server.Http.GetAsync("ice");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(600, json.RootElement.GetProperty("ttl").GetInt64());
        var ice = json.RootElement.GetProperty("iceServers")[0];
        Assert.Equal(["turn:turn.test:3478", "turns:turn.test:5349"], ice.GetProperty("urls").EnumerateArray().Select(u => u.GetString()));
        var username = ice.GetProperty("username").GetString()!;
        var expiry = time.GetUtcNow().AddMinutes(10).ToUnixTimeSeconds();
        Assert.Matches($"^{expiry}:[0-9a-f]{{24}}$", username);
        Assert.Equal(Convert.ToBase64String(HMACSHA1.HashData("north"u8, Encoding.UTF8.GetBytes(username))), ice.GetProperty("credential").GetString());
    }

    [Fact]
    public async Task Ice_is_not_mapped_without_turn()
    {
        await using var server = await TestServer.StartAsync();
        using var response = await server.Http.GetAsync("ice");
        // Only the group's CORS preflight route matches the path.
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    [Fact]
    public void The_tag_helper_points_ice_servers_url_at_the_endpoint_under_the_path_base_when_turn_is_configured()
    {
        string Render(Action<PeerSignalingOptions> configure, TagHelperAttributeList attributes)
        {
            var services = new ServiceCollection();
            services.AddPeerSignaling(configure);
            services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
            var provider = services.BuildServiceProvider();
            provider.GetRequiredService<PeerSignalingEndpoint>().Map("/peerjs");
            var http = new DefaultHttpContext();
            http.Request.PathBase = "/app";
            var helper = new PeerChatTagHelper(provider) { ViewContext = new ViewContext { HttpContext = http } };
            var output = new TagHelperOutput("peer-chat", attributes, (_, _) => Task.FromResult<TagHelperContent>(new DefaultTagHelperContent()));
            helper.Process(new TagHelperContext("peer-chat", new TagHelperAttributeList(attributes), new Dictionary<object, object>(), "id"), output);
            return output.Attributes.TryGetAttribute("ice-servers-url", out var attribute) ? attribute.Value.ToString()! : "";
        }
        void Turn(PeerSignalingOptions o)
        {
            o.Turn.Urls.Add("turn:turn.test");
            o.Turn.Secret = "s";
        }

        Assert.Equal("/app/peerjs/ice", Render(Turn, []));
        Assert.Equal("/mine", Render(Turn, [new("ice-servers-url", "/mine")]));
        Assert.Equal("", Render(_ => { }, []));
    }
}
