using Microsoft.Extensions.Logging;

namespace PeerChat.AspNetCore;

/// <summary>The TURN credential endpoint's log events.</summary>
internal static partial class Log
{
    [LoggerMessage(100, LogLevel.Debug, "Issued TURN credentials for {User}, valid until {Expiry}.", EventName = "TurnCredentialsIssued")]
    public static partial void TurnCredentialsIssued(ILogger logger, string user, DateTimeOffset expiry);
}
