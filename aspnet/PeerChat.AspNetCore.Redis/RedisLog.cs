using Microsoft.Extensions.Logging;

namespace PeerChat.AspNetCore.Redis;

/// <summary>The backplane's log events (category <c>PeerChat.AspNetCore.Redis.RedisSignalingBackplane</c>).</summary>
internal static partial class RedisLog
{
    [LoggerMessage(101, LogLevel.Information, "Connected to Redis {Endpoints} as instance {InstanceId}.", EventName = "BackplaneConnected")]
    public static partial void Connected(ILogger logger, string endpoints, string instanceId);

    [LoggerMessage(102, LogLevel.Warning, "Lost Redis ({FailureType}): serving this instance's clients only until it is back.", EventName = "BackplaneConnectionLost")]
    public static partial void ConnectionLost(ILogger logger, string failureType, Exception? exception);

    [LoggerMessage(103, LogLevel.Information, "Redis is back: publishing this instance's registrations again.", EventName = "BackplaneConnectionRestored")]
    public static partial void ConnectionRestored(ILogger logger);

    [LoggerMessage(104, LogLevel.Warning, "A Redis command of the backplane failed ({Operation}).", EventName = "BackplaneCommandFailed")]
    public static partial void CommandFailed(ILogger logger, string operation, Exception exception);

    [LoggerMessage(105, LogLevel.Warning, "Peer {PeerId} was registered on another instance while Redis was away: closed here with ID-TAKEN.", EventName = "RegistrationLost")]
    public static partial void RegistrationLost(ILogger logger, string peerId);

    [LoggerMessage(106, LogLevel.Warning, "Ignored a malformed message on the backplane channel.", EventName = "InvalidBackplaneMessage")]
    public static partial void InvalidMessage(ILogger logger);
}
