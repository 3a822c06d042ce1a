namespace PeerChat.AspNetCore.Redis;

/// <summary>
/// Each step that reads and writes more than one key runs as one Lua script, so no other instance can act
/// between the read and the write (a relay cannot slip between "is the peer registered?" and "queue it").
/// An id's value is the owning instance's id (32 hex digits) followed by the client's token.
/// Frames on an instance channel start with one byte: <c>R</c> a relayed frame, <c>M</c> an id that moved.
/// </summary>
internal static class RedisScripts
{
    /// <summary>
    /// KEYS: id, pending list, pending index. ARGV: instance..token, time to live (ms), id.
    /// Returns {0} when another token holds the id; else {1, previous instance or "", waiting frames}.
    /// </summary>
    public const string Claim = """
        local current = redis.call('GET', KEYS[1])
        if current and string.sub(current, 33) ~= string.sub(ARGV[1], 33) then
          return {0}
        end
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
        local pending = redis.call('LRANGE', KEYS[2], 0, -1)
        redis.call('DEL', KEYS[2])
        redis.call('ZREM', KEYS[3], ARGV[3])
        local previous = ''
        if current and string.sub(current, 1, 32) ~= string.sub(ARGV[1], 1, 32) then
          previous = string.sub(current, 1, 32)
        end
        return {1, previous, pending}
        """;

    /// <summary>KEYS: id. ARGV: instance..token. Deletes the id only if it is still this registration.</summary>
    public const string Release = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then
          return redis.call('DEL', KEYS[1])
        end
        return 0
        """;

    /// <summary>
    /// KEYS: destination id, its pending list, pending index. ARGV: frame, queueable (1/0), now (ms), most
    /// queued, destination id, instance channel prefix, pending list time to live (ms).
    /// Returns 1 published to the owner, 2 queued, 3 dropped (queue full), 0 dropped (LEAVE or EXPIRE for nobody).
    /// </summary>
    public const string Forward = """
        local owner = redis.call('GET', KEYS[1])
        if owner and redis.call('PUBLISH', ARGV[6] .. string.sub(owner, 1, 32), 'R' .. ARGV[1]) > 0 then
          return 1
        end
        if ARGV[2] ~= '1' then
          return 0
        end
        if redis.call('LLEN', KEYS[2]) >= tonumber(ARGV[4]) then
          return 3
        end
        redis.call('RPUSH', KEYS[2], ARGV[1])
        redis.call('PEXPIRE', KEYS[2], ARGV[7])
        redis.call('ZADD', KEYS[3], 'NX', ARGV[3], ARGV[5])
        return 2
        """;

    /// <summary>
    /// KEYS: the pending index, then for each id of this instance its key and its pending list. ARGV: the time
    /// to live (ms), then for each id its instance..token value and the id.
    /// Sets or refreshes each, and takes the frames that waited for it (queued while its registration was
    /// missing from Redis, as after a Redis restart). Returns {lost, pending}: {index, same token} for each
    /// id held by another instance, {index, frames} for each id that had frames waiting. Indexes from 1.
    /// </summary>
    public const string Republish = """
        local ttl = ARGV[1]
        local lost = {}
        local pending = {}
        for i = 1, (#KEYS - 1) / 2 do
          local key, list = KEYS[2 * i], KEYS[2 * i + 1]
          local value, id = ARGV[2 * i], ARGV[2 * i + 1]
          local current = redis.call('GET', key)
          if not current or current == value then
            redis.call('SET', key, value, 'PX', ttl)
            if redis.call('EXISTS', list) == 1 then
              table.insert(pending, {i, redis.call('LRANGE', list, 0, -1)})
              redis.call('DEL', list)
              redis.call('ZREM', KEYS[1], id)
            end
          else
            local sameToken = 0
            if string.sub(current, 33) == string.sub(value, 33) then sameToken = 1 end
            table.insert(lost, {i, sameToken})
          end
        end
        return {lost, pending}
        """;

    /// <summary>
    /// KEYS: pending index. ARGV: cutoff (ms), pending list prefix. Takes up to 100 queues created at or
    /// before the cutoff; returns their frames.
    /// </summary>
    public const string TakeExpired = """
        local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, 100)
        local frames = {}
        for _, id in ipairs(ids) do
          local key = ARGV[2] .. id
          for _, frame in ipairs(redis.call('LRANGE', key, 0, -1)) do
            table.insert(frames, frame)
          end
          redis.call('DEL', key)
          redis.call('ZREM', KEYS[1], id)
        end
        return frames
        """;
}
