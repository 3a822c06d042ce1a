namespace PeerChat.AspNetCore.Protocol;

/// <summary>The <c>type</c> values of the PeerJS server protocol, spelled as on the wire.</summary>
internal static class MessageTypes
{
    public const string Open = "OPEN";
    public const string Leave = "LEAVE";
    public const string Candidate = "CANDIDATE";
    public const string Offer = "OFFER";
    public const string Answer = "ANSWER";
    public const string Expire = "EXPIRE";
    public const string Heartbeat = "HEARTBEAT";
    public const string IdTaken = "ID-TAKEN";
    public const string Error = "ERROR";

    /// <summary>Types a client may send; the Node server silently ignores any other, we reject them.</summary>
    public static bool IsFromClient(string type) => type is Heartbeat or Offer or Answer or Candidate or Leave or Expire;

    /// <summary>Types relayed to <c>dst</c>.</summary>
    public static bool IsRelayed(string type) => type is Offer or Answer or Candidate or Leave or Expire;
}
