using Microsoft.Extensions.Logging;

namespace PeerChat.AspNetCore;

/// <summary>The signaling endpoint's log events (category <c>PeerChat.AspNetCore.SignalingHub</c>).</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Debug, "Peer {PeerId} connected.", EventName = "PeerConnected")]
    public static partial void PeerConnected(ILogger logger, string peerId);

    [LoggerMessage(2, LogLevel.Debug, "Peer {PeerId} disconnected.", EventName = "PeerDisconnected")]
    public static partial void PeerDisconnected(ILogger logger, string peerId);

    [LoggerMessage(3, LogLevel.Information, "Refused peer {PeerId}: the id is taken by another token.", EventName = "IdTaken")]
    public static partial void IdTaken(ILogger logger, string peerId);

    [LoggerMessage(4, LogLevel.Warning, "Closed peer {PeerId}: more than the allowed messages per second.", EventName = "RateLimited")]
    public static partial void RateLimited(ILogger logger, string? peerId);

    [LoggerMessage(5, LogLevel.Warning, "Closed peer {PeerId}: a message larger than {MaxMessageBytes} bytes.", EventName = "MessageTooLarge")]
    public static partial void MessageTooLarge(ILogger logger, string? peerId, int maxMessageBytes);

    [LoggerMessage(6, LogLevel.Warning, "Refused a WebSocket from origin {Origin}: not in AllowedOrigins.", EventName = "OriginRejected")]
    public static partial void OriginRejected(ILogger logger, string origin);

    [LoggerMessage(7, LogLevel.Warning, "Refused id {PeerId} for user {UserName}: IdFromUser gives {AllowedId}.", EventName = "Unauthorized")]
    public static partial void Unauthorized(ILogger logger, string peerId, string? userName, string? allowedId);

    [LoggerMessage(8, LogLevel.Information, "Refused an id of {Length} characters (MaxIdLength {MaxIdLength}).", EventName = "IdTooLong")]
    public static partial void IdTooLong(ILogger logger, int length, int maxIdLength);

    [LoggerMessage(9, LogLevel.Debug, "Dropped peer {PeerId}: no heartbeat within the alive timeout.", EventName = "SilentPeerDropped")]
    public static partial void SilentPeerDropped(ILogger logger, string peerId);

    [LoggerMessage(10, LogLevel.Information, "Closed peer {PeerId}: {Error}.", EventName = "InvalidMessage")]
    public static partial void InvalidMessage(ILogger logger, string? peerId, string error);

    [LoggerMessage(11, LogLevel.Warning, "Refused peer {PeerId}: the concurrent limit of {ConcurrentLimit} clients is reached.", EventName = "ConcurrentLimitReached")]
    public static partial void ConcurrentLimitReached(ILogger logger, string peerId, int concurrentLimit);
}
