namespace PeerChat.AspNetCore.Protocol;

/// <summary>
/// Texts sent in <c>payload.msg</c>. The first four are the exact strings of the <c>peer</c> npm package;
/// the hostile-input ones are ours (the Node server has no such checks).
/// </summary>
internal static class ServerErrors
{
    public const string InvalidKey = "Invalid key provided";
    public const string InvalidWsParameters = "No id, token, or key supplied to websocket server";
    public const string ConnectionLimitExceeded = "Server has reached its concurrent user limit";
    public const string IdTaken = "ID is taken";

    public const string InvalidMessage = "Invalid message";
    public const string UnknownMessageType = "Unknown message type";
    public const string MessageTooLarge = "Message too large";
    public const string RateLimitExceeded = "Too many messages";
    public const string IdTooLong = "ID is too long";
    public const string IdNotAllowed = "ID is not allowed for this user";
}
