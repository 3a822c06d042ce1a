using PeerChat.AspNetCore.Model;

namespace PeerChat.AspNetCore.Handling;

/// <summary>
/// Drops clients that sent no heartbeat within the alive timeout: their socket is closed and their id
/// freed. Catches peers whose TCP connection died without a close. The caller holds the realm's lock.
/// </summary>
internal sealed class SilentClientSweeper(Realm realm, TimeSpan aliveTimeout)
{
    /// <summary>Runs one pass; returns the dropped clients.</summary>
    public IReadOnlyList<Client> DropSilentClients(DateTimeOffset now)
    {
        var silent = realm.Clients.Where(c => now - c.LastPing >= aliveTimeout).ToList();
        foreach (var client in silent)
        {
            client.Connection?.Close();
            realm.TakeQueue(client.Id);
            realm.RemoveClient(client.Id);
            client.Connection = null;
        }
        return silent;
    }
}
