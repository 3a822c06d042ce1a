namespace PeerChat.AspNetCore.Model;

/// <summary>A registered peer: its id, the token that lets it reconnect under that id, and its current socket.</summary>
internal sealed class Client(string id, string token, DateTimeOffset now)
{
    public string Id { get; } = id;

    public string Token { get; } = token;

    /// <summary>Null once the client has been dropped.</summary>
    public IPeerConnection? Connection { get; set; }

    /// <summary>Time of the last <c>HEARTBEAT</c> (or of registration).</summary>
    public DateTimeOffset LastPing { get; set; } = now;
}
