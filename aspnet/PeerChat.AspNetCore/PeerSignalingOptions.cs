using System.Security.Claims;

namespace PeerChat.AspNetCore;

/// <summary>
/// Settings of the PeerJS signaling endpoint. Names and defaults follow the options of the
/// <c>peer</c> npm package (1.0.x) so a configuration can be carried over one to one.
/// </summary>
public sealed class PeerSignalingOptions
{
    /// <summary>The configuration section <c>AddPeerSignaling()</c> binds: <c>"PeerSignaling"</c>.</summary>
    public const string SectionName = "PeerSignaling";

    /// <summary>
    /// The key clients must present (<c>key</c> query parameter of the WebSocket). Default <c>"peerjs"</c>,
    /// which is what the <c>peerjs</c> client sends unless told otherwise.
    /// </summary>
    public string Key { get; set; } = "peerjs";

    /// <summary>
    /// How long messages for a peer that has not connected yet are kept before the sender is told
    /// <c>EXPIRE</c>. Default 5 seconds (<c>expire_timeout</c>).
    /// </summary>
    public TimeSpan ExpireTimeout { get; set; } = TimeSpan.FromMilliseconds(5000);

    /// <summary>
    /// A client that sends no <c>HEARTBEAT</c> for this long is disconnected and forgotten.
    /// Default 90 seconds, the library default of <c>peer</c> 1.0 (its command line uses 60 seconds).
    /// The <c>peerjs</c> client sends a heartbeat every 5 seconds.
    /// </summary>
    public TimeSpan AliveTimeout { get; set; } = TimeSpan.FromMilliseconds(90000);

    /// <summary>Most clients registered at once; further ones get <c>ERROR</c>. Default 5000.</summary>
    public int ConcurrentLimit { get; set; } = 5000;

    /// <summary>
    /// Whether <c>GET {path}/{key}/peers</c> lists the registered ids. When false (default) it answers 401.
    /// </summary>
    public bool AllowDiscovery { get; set; }

    /// <summary>
    /// Origins allowed by CORS on the HTTP routes (and, as a guard against cross-site WebSocket use, on
    /// the WebSocket upgrade). Empty (default) allows any origin, like the Node server.
    /// </summary>
    public IList<string> AllowedOrigins { get; } = new List<string>();

    /// <summary>
    /// Largest message a client may send, in bytes. A bigger one gets <c>ERROR</c> and the socket is closed
    /// with status 1009. Default 64 KiB: an SDP offer with its metadata is a few KiB.
    /// </summary>
    public int MaxMessageBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// Sustained number of messages per second one client may send (token bucket refill rate).
    /// A client over the limit gets <c>ERROR</c> and is closed. Default 50.
    /// </summary>
    public double MessagesPerSecond { get; set; } = 50;

    /// <summary>
    /// How many messages one client may send in a burst above <see cref="MessagesPerSecond"/>
    /// (token bucket size); ICE candidates tend to come in bursts. Default 200.
    /// </summary>
    public int MessageBurst { get; set; } = 200;

    /// <summary>
    /// Most messages held for one not-yet-connected peer; more are dropped. Default 100.
    /// The Node server has no such cap.
    /// </summary>
    public int MaxQueuedMessagesPerPeer { get; set; } = 100;

    /// <summary>
    /// Most messages waiting to be written to one client's socket. A client that reads slower than
    /// this is treated as dead (its senders get <c>LEAVE</c>). Default 1000.
    /// </summary>
    public int MaxPendingSendsPerClient { get; set; } = 1000;

    /// <summary>
    /// Most bytes waiting to be written to one client's socket, the same way: a client that stops reading
    /// holds no more than this of the server's memory, whatever the size of the messages sent to it (a
    /// single message may always wait). At least <see cref="MessageBurst"/> × <see cref="MaxMessageBytes"/>,
    /// so that one sender's burst cannot get a client that reads dropped. Default 16 MiB.
    /// </summary>
    public int MaxPendingSendBytesPerClient { get; set; } = 16 * 1024 * 1024;

    /// <summary>How often queued messages are checked for expiry. Default 1 second (<c>cleanup_out_msgs</c>).</summary>
    public TimeSpan ExpireCheckInterval { get; set; } = TimeSpan.FromMilliseconds(1000);

    /// <summary>How often clients are checked against <see cref="AliveTimeout"/>. Default 300 ms, as in the Node server.</summary>
    public TimeSpan AliveCheckInterval { get; set; } = TimeSpan.FromMilliseconds(300);

    /// <summary>
    /// How long to wait for a client to answer a close frame before the socket is aborted. Default 5 seconds.
    /// </summary>
    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Makes the ids handed out by <c>GET {path}/{key}/id</c>. Default: a random UUID, as the Node server.
    /// </summary>
    public Func<string>? GenerateClientId { get; set; }

    /// <summary>
    /// Longest id a client may register. A longer one gets <c>ERROR</c> and the socket is closed. Default 64
    /// (a UUID is 36). Not in the Node server, which takes any length.
    /// </summary>
    public int MaxIdLength { get; set; } = 64;

    /// <summary>
    /// When set, ids belong to users: a socket may only register the id this returns for its
    /// <see cref="ClaimsPrincipal"/> (null: that user may not register), and <c>GET {path}/{key}/id</c> hands it out.
    /// Anyone else asking for that id, and a request without a user, gets <c>ERROR</c>. A second socket of the same
    /// user (a second tab) gets <c>ID-TAKEN</c> while the first is connected, as for any taken id. Combine with
    /// <c>MapPeerSignaling(…).RequireAuthorization()</c> so only signed-in users reach the endpoint.
    /// Example: <c>options.IdFromUser = user => user.Identity?.Name;</c>
    /// </summary>
    public Func<ClaimsPrincipal, string?>? IdFromUser { get; set; }

    /// <summary>
    /// A TURN relay (coturn) for browsers that cannot reach each other directly: with <c>Urls</c> and <c>Secret</c>
    /// set, <c>GET {path}/ice</c> hands out short-lived credentials for it (see <see cref="PeerSignalingTurnOptions"/>).
    /// </summary>
    public PeerSignalingTurnOptions Turn { get; } = new();
}
