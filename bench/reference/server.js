'use strict';
// The Node reference for issue 12: the classic fan-out server that Rill's own is measured
// against. Deliberately the textbook design, not a tuned one:
//   - `ws` for WebSockets, `ioredis` for Redis;
//   - per message: one XADD to the channel's stream (the durable log, its ID is the message ID)
//     and one PUBLISH of the event, serialised once;
//   - one pattern subscriber per process (PSUBSCRIBE <prefix>:chan:*) that hands each event to
//     the local member sessions, one ws.send per recipient, the same bytes for all of them.
// It speaks enough of /work/shared/PROTOCOL.md for bench/load (rill-load) and bench/abuse:
// hello, register, login (password or token), logout, join, part, send (nonce honoured),
// history, channels, members, typing; `message` events to every member session, the sender's
// included. Everything else answers bad_request. No rate limit (rill-load runs rill-server
// with --rate-limit 0 too).

const crypto = require('node:crypto');
const http = require('node:http');
const { WebSocketServer } = require('ws');
const Redis = require('ioredis');

function parseArgs(argv) {
  const opts = {
    listen: process.env.RILL_REF_LISTEN || '127.0.0.1',
    port: Number(process.env.RILL_REF_PORT || 7117),
    redis: process.env.RILL_REF_REDIS || 'redis://127.0.0.1:6379',
    instance: process.env.RILL_REF_INSTANCE || `ref-${process.pid}`,
    prefix: process.env.RILL_REF_PREFIX || 'ref',
    pingSeconds: 30,
  };
  for (let i = 2; i < argv.length; ++i) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = () => (inline !== undefined ? inline : argv[++i]);
    switch (flag) {
      case '--listen': opts.listen = value(); break;
      case '--port': opts.port = Number(value()); break;
      case '--redis': opts.redis = value(); break;
      case '--instance': opts.instance = value(); break;
      case '--prefix': opts.prefix = value(); break;
      case '--ping-seconds': opts.pingSeconds = Number(value()); break;
      case '-h': case '--help':
        console.log('node server.js [--listen 127.0.0.1] [--port 7117] [--redis redis://127.0.0.1:6379] ' +
                    '[--instance NAME] [--prefix ref] [--ping-seconds 30]');
        process.exit(0);
        break;
      default:
        console.error(`unknown option ${argv[i]}`);
        process.exit(2);
    }
  }
  return opts;
}

const opts = parseArgs(process.argv);
const P = opts.prefix;
const key = {
  user: (u) => `${P}:user:${u}`,                 // hash: name, pw
  userChannels: (u) => `${P}:user:${u}:channels`, // set of channel names
  token: (t) => `${P}:token:${crypto.createHash('sha256').update(t).digest('hex')}`,
  channels: `${P}:channels`,                      // set of every public channel
  members: (c) => `${P}:chan:${c}:members`,       // set of display names
  log: (c) => `${P}:chan:${c}:log`,               // stream: the channel's messages
  nonce: (c, u, n) => `${P}:chan:${c}:nonce:${u}:${n}`,
  bus: (c) => `${P}:chan:${c}`,                   // pub/sub channel of the channel's events
};
const TOKEN_SECONDS = 30 * 24 * 3600;

// Passwords: scrypt from node:crypto in the cost class of rill-server's argon2id (m=19 MiB,
// t=2): N=2^14, r=8 is 16 MiB and tens of ms here. It runs on libuv's thread pool.
const SCRYPT = { N: 1 << 14, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
function scrypt(password, salt) {
  return new Promise((resolve, reject) =>
    crypto.scrypt(password, salt, 32, SCRYPT, (err, out) => (err ? reject(err) : resolve(out))));
}
async function hashPassword(password) {
  const salt = crypto.randomBytes(16);
  const hash = await scrypt(password, salt);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}
async function verifyPassword(stored, password) {
  const parts = (stored || '').split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const salt = Buffer.from(parts[4], 'base64');
  const want = Buffer.from(parts[5], 'base64');
  const got = await new Promise((resolve, reject) =>
    crypto.scrypt(password, salt, want.length,
                  { N: Number(parts[1]), r: Number(parts[2]), p: Number(parts[3]), maxmem: SCRYPT.maxmem },
                  (err, out) => (err ? reject(err) : resolve(out))));
  return crypto.timingSafeEqual(got, want);
}

const redis = new Redis(opts.redis);
const subscriber = new Redis(opts.redis);
redis.on('error', (e) => console.error(`redis: ${e.message}`));
subscriber.on('error', (e) => console.error(`redis subscriber: ${e.message}`));

// Local state: which sessions of this process are in which channel, and each user's sessions.
const channelSessions = new Map(); // channel -> Set<ws>
const userSessions = new Map();    // user key -> Set<ws>

function addToChannel(ws, channel) {
  let set = channelSessions.get(channel);
  if (!set) channelSessions.set(channel, (set = new Set()));
  set.add(ws);
  ws.rill.channels.add(channel);
}
function removeFromChannel(ws, channel) {
  const set = channelSessions.get(channel);
  if (set) {
    set.delete(ws);
    if (set.size === 0) channelSessions.delete(channel);
  }
  ws.rill.channels.delete(channel);
}

// The one pattern subscriber: every event of every channel reaches every process, which
// writes it to its local members. The payload is the event exactly as clients get it.
const busPrefix = `${P}:chan:`;
subscriber.psubscribe(`${busPrefix}*`).catch((e) => {
  console.error(`psubscribe failed: ${e.message}`);
  process.exit(1);
});
subscriber.on('pmessageBuffer', (_pattern, channelBuf, payload) => {
  const sessions = channelSessions.get(channelBuf.toString('utf8', busPrefix.length));
  if (!sessions) return;
  for (const ws of sessions) {
    if (ws.readyState === ws.OPEN) ws.send(payload, { binary: false });
  }
});

class ProtocolError extends Error {
  constructor(code, message) {
    super(message || code);
    this.code = code;
  }
}

const USER_RE = /^[A-Za-z0-9_.-]{1,32}$/;
const CHANNEL_RE = /^[a-z0-9_-]{1,64}$/;

function channelParam(params) {
  if (typeof params.channel !== 'string') throw new ProtocolError('bad_request', 'channel missing');
  const name = params.channel.toLowerCase();
  if (!CHANNEL_RE.test(name)) throw new ProtocolError('invalid_channel', 'invalid channel name');
  return name;
}
function memberChannel(ws, params) {
  const name = channelParam(params);
  if (!ws.rill.channels.has(name)) throw new ProtocolError('not_member', 'not a member');
  return name;
}

function messageFromEntry(channel, id, fields) {
  const f = {};
  for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]] = fields[i + 1];
  const kind = f.k === 'j' ? 'join' : f.k === 'p' ? 'part' : 'message';
  const m = { id, channel, kind, user: f.u, ts: Number(id.split('-')[0]) };
  if (kind === 'message') m.text = f.t;
  if (f.n !== undefined) m.nonce = JSON.parse(f.n);
  return m;
}

async function channelInfo(channel) {
  const members = await redis.scard(key.members(channel));
  return { name: channel, kind: 'channel', members, lastId: null, lastRead: null, unread: 0 };
}

async function channelInfos(userKey) {
  const names = await redis.smembers(key.userChannels(userKey));
  const pipe = redis.pipeline();
  for (const c of names) pipe.scard(key.members(c));
  const counts = names.length ? await pipe.exec() : [];
  return names.map((c, i) => ({ name: c, kind: 'channel', members: counts[i][1], lastId: null, lastRead: null, unread: 0 }));
}

// Appends a join/part/message entry to the log and publishes it: the classic two commands.
async function appendAndPublish(channel, fields, message) {
  const id = await redis.xadd(key.log(channel), '*', ...fields);
  message.id = id;
  message.ts = Number(id.split('-')[0]);
  redis.publish(key.bus(channel), JSON.stringify({ ev: 'message', message })).catch(() => {});
  return message;
}

async function newToken(userKey) {
  const token = crypto.randomBytes(32).toString('base64url');
  await redis.set(key.token(token), userKey, 'EX', TOKEN_SECONDS);
  return token;
}

async function startSession(ws, userKey, name, token) {
  ws.rill.userKey = userKey;
  ws.rill.user = name;
  let mine = userSessions.get(userKey);
  if (!mine) userSessions.set(userKey, (mine = new Set()));
  mine.add(ws);
  const channels = await channelInfos(userKey);
  for (const c of channels) addToChannel(ws, c.name);
  return { user: name, token, channels };
}

async function joinChannel(userKey, name, channel) {
  const pipe = redis.pipeline();
  pipe.sadd(key.members(channel), name);
  pipe.sadd(key.userChannels(userKey), channel);
  pipe.sadd(key.channels, channel);
  const [[, added]] = await pipe.exec();
  if (added) await appendAndPublish(channel, ['k', 'j', 'u', name], { channel, kind: 'join', user: name });
  for (const s of userSessions.get(userKey) || []) addToChannel(s, channel);
}

const ops = {
  async hello(ws, params) {
    if (params.version !== 1) throw new ProtocolError('bad_request', 'version 1 only');
    return { server: 'rill-reference', version: 1, revision: 2, instance: opts.instance };
  },

  async register(ws, params) {
    const { user, password } = params;
    if (typeof user !== 'string' || !USER_RE.test(user)) throw new ProtocolError('invalid_user', 'invalid user name');
    if (typeof password !== 'string' || password.length < 8 || password.length > 1024)
      throw new ProtocolError('weak_password', 'password must be 8 to 1024 characters');
    const userKey = user.toLowerCase();
    if (await redis.exists(key.user(userKey))) throw new ProtocolError('user_taken', 'user name taken');
    const pw = await hashPassword(password);
    if (!(await redis.hsetnx(key.user(userKey), 'name', user))) throw new ProtocolError('user_taken', 'user name taken');
    await redis.hset(key.user(userKey), 'pw', pw);
    await joinChannel(userKey, user, 'general');
    return startSession(ws, userKey, user, await newToken(userKey));
  },

  async login(ws, params) {
    if (typeof params.token === 'string') {
      const tokenKey = key.token(params.token);
      const userKey = await redis.get(tokenKey);
      if (!userKey) throw new ProtocolError('bad_credentials', 'unknown or expired token');
      const [name] = await Promise.all([redis.hget(key.user(userKey), 'name'), redis.expire(tokenKey, TOKEN_SECONDS)]);
      return startSession(ws, userKey, name, params.token);
    }
    const { user, password } = params;
    if (typeof user !== 'string' || typeof password !== 'string') throw new ProtocolError('bad_request', 'user and password, or token');
    const userKey = user.toLowerCase();
    const [name, pw] = await redis.hmget(key.user(userKey), 'name', 'pw');
    if (!name || !(await verifyPassword(pw, password))) throw new ProtocolError('bad_credentials', 'wrong user or password');
    return startSession(ws, userKey, name, await newToken(userKey));
  },

  async logout(ws) {
    if (ws.rill.token) await redis.del(key.token(ws.rill.token));
    return {};
  },

  async join(ws, params) {
    const channel = channelParam(params);
    await joinChannel(ws.rill.userKey, ws.rill.user, channel);
    return { channel: await channelInfo(channel) };
  },

  async part(ws, params) {
    const channel = memberChannel(ws, params);
    const pipe = redis.pipeline();
    pipe.srem(key.members(channel), ws.rill.user);
    pipe.srem(key.userChannels(ws.rill.userKey), channel);
    const [[, removed]] = await pipe.exec();
    for (const s of userSessions.get(ws.rill.userKey) || []) removeFromChannel(s, channel);
    if (removed) await appendAndPublish(channel, ['k', 'p', 'u', ws.rill.user], { channel, kind: 'part', user: ws.rill.user });
    return {};
  },

  async send(ws, params) {
    const channel = memberChannel(ws, params);
    if (typeof params.text !== 'string') throw new ProtocolError('bad_request', 'text missing');
    const text = params.text.trim();
    if (text.length === 0) throw new ProtocolError('empty', 'empty message');
    if (text.length > 4000 && [...text].length > 4000) throw new ProtocolError('too_long', 'over 4000 code points');
    const user = ws.rill.user;
    const fields = ['k', 'm', 'u', user, 't', text];
    const message = { channel, kind: 'message', user, text };
    if (params.nonce !== undefined) {
      // Idempotent resend: the first store of this nonce wins; later ones get its message.
      const nonceJson = JSON.stringify(params.nonce);
      const nonceKey = key.nonce(channel, ws.rill.userKey, nonceJson);
      if (!(await redis.set(nonceKey, 'pending', 'EX', 86400, 'NX'))) {
        const id = await redis.get(nonceKey);
        const entries = id && id !== 'pending' ? await redis.xrange(key.log(channel), id, id) : [];
        if (entries.length) return { message: messageFromEntry(channel, entries[0][0], entries[0][1]) };
        throw new ProtocolError('internal', 'the first send with this nonce is still in progress');
      }
      fields.push('n', nonceJson);
      message.nonce = params.nonce;
      await appendAndPublish(channel, fields, message);
      redis.set(nonceKey, message.id, 'EX', 86400).catch(() => {});
      return { message };
    }
    return { message: await appendAndPublish(channel, fields, message) };
  },

  async history(ws, params) {
    const channel = memberChannel(ws, params);
    const limit = params.limit === undefined ? 50 : params.limit;
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new ProtocolError('bad_request', 'limit 1-100');
    let entries;
    if (typeof params.after === 'string') {
      entries = await redis.xrange(key.log(channel), `(${params.after}`, '+', 'COUNT', limit + 1);
      const more = entries.length > limit;
      return { messages: entries.slice(0, limit).map(([id, f]) => messageFromEntry(channel, id, f)), more };
    }
    const end = typeof params.before === 'string' ? `(${params.before}` : '+';
    entries = await redis.xrevrange(key.log(channel), end, '-', 'COUNT', limit + 1);
    const more = entries.length > limit;
    return { messages: entries.slice(0, limit).reverse().map(([id, f]) => messageFromEntry(channel, id, f)), more };
  },

  async channels() {
    const names = await redis.smembers(key.channels);
    const pipe = redis.pipeline();
    for (const c of names) pipe.scard(key.members(c));
    const counts = names.length ? await pipe.exec() : [];
    return { channels: names.map((c, i) => ({ name: c, members: counts[i][1] })) };
  },

  async members(ws, params) {
    const channel = memberChannel(ws, params);
    const names = await redis.smembers(key.members(channel));
    return { members: names.map((u) => ({ user: u, online: userSessions.has(u.toLowerCase()) })) };
  },

  async typing(ws, params) {
    const channel = memberChannel(ws, params);
    redis.publish(key.bus(channel), JSON.stringify({ ev: 'typing', channel, user: ws.rill.user })).catch(() => {});
    return {};
  },
};
const OPEN_OPS = new Set(['hello', 'register', 'login']);

function reply(ws, re, result) {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ re, ok: true, ...result }));
}
function replyError(ws, re, code, message) {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ re, ok: false, error: code, message }));
}

async function handle(ws, data, isBinary) {
  if (isBinary) {
    ws.close(1003, 'text frames only');
    return;
  }
  let request;
  try {
    request = JSON.parse(data.toString('utf8'));
  } catch {
    replyError(ws, null, 'bad_request', 'invalid JSON');
    return;
  }
  if (request === null || typeof request !== 'object' || Array.isArray(request)) {
    replyError(ws, null, 'bad_request', 'not an object');
    return;
  }
  const { id, op, ...params } = request;
  if (!Number.isSafeInteger(id)) {
    replyError(ws, null, 'bad_request', 'id must be an integer');
    return;
  }
  const fn = Object.prototype.hasOwnProperty.call(ops, op) ? ops[op] : undefined;
  if (!fn) {
    replyError(ws, id, 'bad_request', `unknown op ${String(op)}`);
    return;
  }
  if (!ws.rill.userKey && !OPEN_OPS.has(op)) {
    replyError(ws, id, 'unauthenticated', 'log in first');
    return;
  }
  try {
    const result = await fn(ws, params);
    if (op === 'login' || op === 'register') ws.rill.token = result.token;
    reply(ws, id, result);
  } catch (e) {
    if (e instanceof ProtocolError) replyError(ws, id, e.code, e.message);
    else replyError(ws, id, 'internal', 'storage unavailable');
  }
}

const httpServer = http.createServer((req, res) => {
  res.writeHead(426, { 'Content-Type': 'text/plain' });
  res.end('WebSocket only\n');
});
const wss = new WebSocketServer({ server: httpServer, maxPayload: 64 * 1024, perMessageDeflate: false });

wss.on('connection', (ws, req) => {
  req.socket.setNoDelay(true);
  ws.rill = { userKey: null, user: null, token: null, channels: new Set() };
  ws.isAlive = true;
  ws.on('pong', () => { ws.isAlive = true; });
  ws.on('message', (data, isBinary) => { handle(ws, data, isBinary); });
  ws.on('error', () => {});
  ws.on('close', () => {
    for (const c of ws.rill.channels) {
      const set = channelSessions.get(c);
      if (set) {
        set.delete(ws);
        if (set.size === 0) channelSessions.delete(c);
      }
    }
    const mine = ws.rill.userKey && userSessions.get(ws.rill.userKey);
    if (mine) {
      mine.delete(ws);
      if (mine.size === 0) userSessions.delete(ws.rill.userKey);
    }
  });
});

// Keep-alive as PROTOCOL.md asks: ping every interval, drop a peer that did not answer the last.
const pinger = setInterval(() => {
  for (const ws of wss.clients) {
    if (!ws.isAlive) {
      ws.terminate();
      continue;
    }
    ws.isAlive = false;
    ws.ping();
  }
}, opts.pingSeconds * 1000);

httpServer.listen(opts.port, opts.listen, () => {
  console.log(`rill reference server ${opts.instance} on ws://${opts.listen}:${opts.port}/, redis ${opts.redis}, pid ${process.pid}`);
});

function shutdown() {
  clearInterval(pinger);
  for (const ws of wss.clients) {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ ev: 'bye', reason: 'shutdown' }));
    ws.close(1001, 'server going away');
  }
  httpServer.close();
  redis.quit().catch(() => {});
  subscriber.quit().catch(() => {});
  setTimeout(() => process.exit(0), 500).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
