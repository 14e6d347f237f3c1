/* Mentorcall web client.
 *
 * Speaks only the protocol of docs/protocol.md: REST with the session
 * token in Authorization, the signaling WebSocket opened with a one-time
 * ticket. The mentor offers; the student answers with the offer's
 * generation. No framework and nothing fetched from elsewhere.
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
'use strict';

const STRINGS = {
  en: {
    logout: 'Log out', login_title: 'Log in', username: 'Username', password: 'Password',
    login: 'Log in', rejoin: 'Rejoin', dismiss: 'Dismiss', lessons: 'Your lessons',
    check_title: 'Camera and microphone', join_muted: 'Join muted',
    join_camera_off: 'Join with camera off', join: 'Join', back: 'Back', mute: 'Mute',
    unmute: 'Unmute', camera_off: 'Camera off', camera_on: 'Camera on', leave: 'Leave',
    end: 'End lesson', send: 'Send', with: 'with', no_lessons: 'No lessons.',
    window_opens: 'Join opens {0}', window_closed: 'Join window closed',
    running: 'A call with {0} is running ({1} min). Rejoin?',
    peer_muted: '{0} is muted', peer_camera_off: '{0} turned the camera off',
    waiting: 'Waiting for {0}…', no_devices: 'No camera or microphone: {0}',
    state_new: 'waiting', state_connecting: 'connecting', state_connected: 'connected',
    state_disconnected: 'reconnecting', state_failed: 'failed', state_closed: 'ended',
    call_ended: 'The lesson has ended.', peer_left: '{0} left the call.',
    refused_4004: 'The connection ticket was refused; trying again.',
    refused_ticket_expired: 'The connection ticket expired before it was used; trying again with a new one.',
    refused_4005: 'This page’s address is not allowed by the server.',
    refused_4006: 'Too many open windows; close another one first.',
    refused_session: 'Your session has ended; log in again.',
    wrong_login: 'Wrong username or password.', network: 'The server cannot be reached.',
  },
  vi: {
    logout: 'Đăng xuất', login_title: 'Đăng nhập', username: 'Tên đăng nhập', password: 'Mật khẩu',
    login: 'Đăng nhập', rejoin: 'Vào lại', dismiss: 'Bỏ qua', lessons: 'Buổi học của bạn',
    check_title: 'Máy ảnh và micrô', join_muted: 'Vào với micrô tắt',
    join_camera_off: 'Vào với máy ảnh tắt', join: 'Vào học', back: 'Quay lại', mute: 'Tắt tiếng',
    unmute: 'Bật tiếng', camera_off: 'Tắt máy ảnh', camera_on: 'Bật máy ảnh', leave: 'Rời đi',
    end: 'Kết thúc buổi học', send: 'Gửi', with: 'với', no_lessons: 'Không có buổi học.',
    window_opens: 'Mở cửa lúc {0}', window_closed: 'Đã hết giờ vào',
    running: 'Cuộc gọi với {0} đang diễn ra ({1} phút). Vào lại?',
    peer_muted: '{0} đã tắt tiếng', peer_camera_off: '{0} đã tắt máy ảnh',
    waiting: 'Đang chờ {0}…', no_devices: 'Không có máy ảnh hoặc micrô: {0}',
    state_new: 'đang chờ', state_connecting: 'đang kết nối', state_connected: 'đã kết nối',
    state_disconnected: 'đang kết nối lại', state_failed: 'thất bại', state_closed: 'đã kết thúc',
    call_ended: 'Buổi học đã kết thúc.', peer_left: '{0} đã rời cuộc gọi.',
    refused_4004: 'Vé kết nối bị từ chối; đang thử lại.',
    refused_ticket_expired: 'Vé kết nối đã hết hạn trước khi được dùng; đang thử lại với vé mới.',
    refused_4005: 'Máy chủ không cho phép địa chỉ của trang này.',
    refused_4006: 'Quá nhiều cửa sổ đang mở; hãy đóng bớt một cửa sổ.',
    refused_session: 'Phiên đăng nhập đã hết; hãy đăng nhập lại.',
    wrong_login: 'Sai tên đăng nhập hoặc mật khẩu.', network: 'Không kết nối được máy chủ.',
  },
};

const LANG = (navigator.language || 'en').toLowerCase().startsWith('vi') ? 'vi' : 'en';

function t (key, ...args) {
  const text = STRINGS[LANG][key] || STRINGS.en[key] || key;
  return text.replace(/\{(\d)\}/g, (_, i) => String(args[Number(i)]));
}

const $ = (id) => document.getElementById(id);

const state = {
  token: sessionStorage.getItem('mc-token'),
  user: null,
  booking: null,
  callToken: null,
  ws: null,
  pc: null,
  generation: 0,          /* the generation of the current connection */
  pendingCandidates: [],  /* candidates of that generation before its description */
  local: null,
  muted: false,
  cameraOff: false,
  instance: crypto.randomUUID(),
  lastSeq: 0,
  outbox: new Map(),      /* client_id → text, until acked */
  shownSeqs: new Set(),
  peer: null,
  leaving: false,
  testTicket: null,
  peerMedia: { muted: false, camera_off: false },
  report: { chatReceived: [], errors: [], closeCode: null },
};

/* Helpers */

function show (view) {
  for (const id of ['login-view', 'bookings-view', 'check-view', 'call-view'])
    $(id).hidden = id !== view;
}

function notice (text) {
  $('notice').textContent = text || '';
  $('notice').hidden = !text;
  if (text)
    state.report.errors.push(text);
}

async function api (method, path, body) {
  const headers = {};
  if (state.token)
    headers.Authorization = 'Bearer ' + state.token;
  if (body !== undefined)
    headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    throw new Error(t('network'));
  }
  const text = await response.text();
  const json = text ? JSON.parse(text) : null;
  if (!response.ok) {
    const error = new Error(json && json.error ? json.error.message : response.statusText);
    error.code = json && json.error ? json.error.code : null;
    error.status = response.status;
    throw error;
  }
  return json;
}

function translatePage () {
  document.documentElement.lang = LANG;
  for (const element of document.querySelectorAll('[data-i18n]'))
    element.textContent = t(element.dataset.i18n);
}

/* Logging in and the lessons */

async function login (event) {
  event.preventDefault();
  try {
    const answer = await api('POST', '/api/v1/auth/login',
                             { username: $('username').value, password: $('password').value });
    state.token = answer.token;
    sessionStorage.setItem('mc-token', state.token);
    notice(null);
    await loadBookings();
  } catch (e) {
    notice(e.code === 'invalid_credentials' ? t('wrong_login') : e.message);
  }
}

async function logout () {
  try { await api('POST', '/api/v1/auth/logout'); } catch (e) { /* gone already */ }
  state.token = null;
  sessionStorage.removeItem('mc-token');
  $('who').textContent = '';
  $('logout').hidden = true;
  show('login-view');
}

function formatTime (iso) {
  return new Date(iso).toLocaleString(LANG, { dateStyle: 'medium', timeStyle: 'short' });
}

async function loadBookings () {
  let bookings;
  try {
    state.user = await api('GET', '/api/v1/me');
    const answer = await api('GET', '/api/v1/bookings');
    bookings = Array.isArray(answer) ? answer : answer.bookings;
  } catch (e) {
    if (e.status === 401) {
      state.token = null;
      sessionStorage.removeItem('mc-token');
      show('login-view');
      notice(e.code === 'unauthorized' ? null : t('refused_session'));
      return;
    }
    notice(e.message);
    return;
  }
  const me = state.user.user || state.user;
  $('who').textContent = me.display_name;
  $('logout').hidden = false;

  const list = $('bookings');
  list.replaceChildren();
  if (bookings.length === 0) {
    const item = document.createElement('li');
    item.textContent = t('no_lessons');
    list.append(item);
  }
  $('rejoin').hidden = true;
  for (const booking of bookings) {
    const item = document.createElement('li');
    const what = document.createElement('div');
    what.className = 'what';
    const title = document.createElement('strong');
    title.textContent = `${booking.subject} — ${t('with')} ${booking.other.display_name}`;
    const when = document.createElement('div');
    when.className = 'when';
    const open = booking.join_window && booking.join_window.open;
    when.textContent = `${formatTime(booking.start)} – ${formatTime(booking.end)} · ${booking.status}` +
      (open ? '' : ' · ' + (new Date(booking.join_window.opens_at) > new Date()
        ? t('window_opens', formatTime(booking.join_window.opens_at)) : t('window_closed')));
    what.append(title, when);
    const join = document.createElement('button');
    join.textContent = t('join');
    join.disabled = !(open && booking.status === 'confirmed');
    join.dataset.booking = booking.id;
    join.addEventListener('click', () => preJoin(booking));
    item.append(what, join);
    list.append(item);

    if (booking.call && booking.call.state === 'active' && join.disabled === false) {
      const minutes = Math.round((Date.now() - new Date(booking.call.started_at)) / 60000);
      $('rejoin-text').textContent = t('running', booking.other.display_name, minutes);
      $('rejoin-button').onclick = () => preJoin(booking);
      $('rejoin').hidden = false;
    }
  }
  show('bookings-view');
  autoTest(bookings);
}

/* The pre-join check */

let meterTimer = null;

async function preJoin (booking) {
  state.booking = booking;
  show('check-view');
  if (!state.local) {
    try {
      state.local = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 640, height: 480 } });
    } catch (e) {
      notice(t('no_devices', e.message));
      state.local = new MediaStream();
    }
  }
  $('preview').srcObject = state.local;
  const audio = state.local.getAudioTracks()[0];
  if (audio && !meterTimer) {
    const context = new AudioContext();
    const analyser = context.createAnalyser();
    context.createMediaStreamSource(new MediaStream([audio])).connect(analyser);
    const samples = new Uint8Array(analyser.fftSize);
    meterTimer = setInterval(() => {
      analyser.getByteTimeDomainData(samples);
      let peak = 0;
      for (const s of samples)
        peak = Math.max(peak, Math.abs(s - 128));
      $('level').style.width = Math.min(100, peak * 100 / 64) + '%';
    }, 100);
  }
}

/* The call */

function setMuted (muted) {
  state.muted = muted;
  for (const track of state.local.getAudioTracks())
    track.enabled = !muted;
  $('mute').textContent = t(muted ? 'unmute' : 'mute');
  $('mute').setAttribute('aria-pressed', String(muted));
  sendMediaState();
}

function setCameraOff (off) {
  state.cameraOff = off;
  for (const track of state.local.getVideoTracks())
    track.enabled = !off;
  $('camera').textContent = t(off ? 'camera_on' : 'camera_off');
  $('camera').setAttribute('aria-pressed', String(off));
  sendMediaState();
}

function send (message) {
  if (state.ws && state.ws.readyState === WebSocket.OPEN)
    state.ws.send(JSON.stringify(message));
}

function sendMediaState () {
  if (state.booking)
    send({ type: 'media-state', booking_id: state.booking.id, muted: state.muted, camera_off: state.cameraOff });
}

async function join () {
  clearInterval(meterTimer);
  meterTimer = null;
  state.leaving = false;
  show('call-view');
  $('self').srcObject = state.local;
  setMuted($('join-muted').checked);
  setCameraOff($('join-camera-off').checked);
  try {
    state.callToken = await api('POST', `/api/v1/bookings/${state.booking.id}/call-token`);
  } catch (e) {
    notice(e.message);
    show('bookings-view');
    return;
  }
  await connect();
}

async function connect () {
  /* Tests hand in a ticket of their own once (see testParams). */
  let ticket = state.testTicket;
  state.testTicket = null;
  try {
    // A ticket lives in the memory of the server that issued it: ask the
    // one the WebSocket will reach, which a load balancer picks by booking.
    if (!ticket)
      ticket = (await api('POST', '/api/v1/ws-ticket?booking=' + state.booking.id)).ticket;
  } catch (e) {
    notice(e.message);
    setTimeout(connect, 2000);
    return;
  }
  // The address may carry a query already (?booking=, for load balancers).
  const url = new URL(state.callToken.signaling_url);
  url.searchParams.set('ticket', ticket);
  const ws = new WebSocket(url.href);
  state.ws = ws;
  let refusal = null;
  ws.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if (message.type === 'error' && message.reason && !refusal)
      refusal = message;
    handle(message);
  };
  ws.onclose = (event) => {
    state.report.closeCode = event.code;
    if (state.ws !== ws || state.leaving)
      return;
    state.ws = null;
    if (event.code === 4005 || event.code === 4006) {
      notice(t('refused_' + event.code));
    } else if (event.code >= 4001 && event.code <= 4003) {
      notice(t('refused_session'));
      hangUp();
      logout();
    } else if (event.code !== 1000) {
      /* The error message before the close says which refusal it was. */
      if (event.code === 4004)
        notice(t(refusal && refusal.reason === 'ticket_expired' ? 'refused_ticket_expired' : 'refused_4004'));
      setTimeout(connect, 1000);
    }
  };
}

function handle (message) {
  switch (message.type) {
  case 'welcome':
    send({ type: 'join', booking_id: state.booking.id, call_token: state.callToken.token,
           chat_after: state.lastSeq, instance: state.instance, request_id: 'join' });
    break;
  case 'joined':
    state.report.joined = true;
    notice(null);
    for (const chat of message.chat || [])
      showChat(chat);
    for (const [clientId, text] of state.outbox)
      send({ type: 'chat', booking_id: state.booking.id, client_id: clientId, text });
    sendMediaState();
    state.role = message.role;
    {
      const me = (state.user.user || state.user).id;
      const peer = (message.participants || []).find((p) => p.user.id !== me);
      if (peer)
        peerArrived(peer.user, peer);
      else
        setPeerState(t('waiting', state.booking.other.display_name));
    }
    break;
  case 'peer-joined':
    peerArrived(message.user, message);
    break;
  case 'peer-left':
    closePeer();
    setPeerState(t('peer_left', state.booking.other.display_name));
    break;
  case 'offer':
    if (state.role === 'student')
      receiveOffer(message);
    break;
  case 'answer':
    if (state.role === 'mentor' && state.pc && message.generation === state.generation)
      state.pc.setRemoteDescription({ type: 'answer', sdp: message.sdp }).then(flushCandidates);
    break;
  case 'ice-candidate':
    receiveCandidate(message);
    break;
  case 'media-state':
    state.peerMedia = { muted: !!message.muted, camera_off: !!message.camera_off };
    showPeerMedia();
    break;
  case 'chat':
    if (message.message)
      showChat(message.message);
    break;
  case 'chat-ack':
    state.outbox.delete(message.client_id);
    {
      const item = document.querySelector(`[data-client-id="${CSS.escape(message.client_id)}"]`);
      if (item) {
        item.classList.remove('pending');
        item.dataset.seq = message.seq;
      }
      state.shownSeqs.add(message.seq);
      state.lastSeq = Math.max(state.lastSeq, message.seq);
    }
    break;
  case 'ended':
    state.report.ended = true;
    notice(t('call_ended'));
    hangUp();
    loadBookings();
    break;
  case 'error':
    state.report.errors.push(message.code);
    if (!message.reason)
      notice(message.message);
    break;
  }
}

function setPeerState (text) {
  $('peer-state').textContent = text;
}

function showPeerMedia () {
  const name = state.booking.other.display_name;
  const parts = [];
  if (state.peerMedia.muted)
    parts.push(t('peer_muted', name));
  if (state.peerMedia.camera_off)
    parts.push(t('peer_camera_off', name));
  setPeerState(parts.join(' · ') || name);
}

function peerArrived (user, media) {
  state.peerMedia = { muted: !!media.muted, camera_off: !!media.camera_off };
  showPeerMedia();
  if (state.role === 'mentor')
    offer();
}

function newPeerConnection () {
  closePeer();
  const pc = new RTCPeerConnection({ iceServers: state.callToken.ice_servers || [] });
  state.pc = pc;
  state.pendingCandidates = [];
  const remote = new MediaStream();
  $('remote').srcObject = remote;
  pc.ontrack = (event) => remote.addTrack(event.track);
  pc.onicecandidate = (event) => {
    if (event.candidate && event.candidate.candidate)
      send({ type: 'ice-candidate', booking_id: state.booking.id, candidate: event.candidate.candidate,
             sdp_mline_index: event.candidate.sdpMLineIndex, generation: state.generation });
  };
  pc.onconnectionstatechange = () => {
    $('conn-state').dataset.state = pc.connectionState;
    $('conn-state').textContent = t('state_' + pc.connectionState);
    if (state.role === 'mentor' && pc.connectionState === 'failed' && state.pc === pc)
      setTimeout(offer, 500);
  };
  $('conn-state').dataset.state = 'connecting';
  $('conn-state').textContent = t('state_connecting');
  return pc;
}

function addLocalTracks (pc) {
  for (const track of state.local.getTracks())
    pc.addTrack(track, state.local);
}

/* The mentor: every offer has a generation never used before. */
async function offer () {
  state.generation = state.generation > 0 ? state.generation + 1
                                          : 1 + Math.floor(Math.random() * 1000000);
  const generation = state.generation;
  const pc = newPeerConnection();
  addLocalTracks(pc);
  const description = await pc.createOffer();
  await pc.setLocalDescription(description);
  if (generation === state.generation)
    send({ type: 'offer', booking_id: state.booking.id, sdp: description.sdp, generation });
}

/* The student: a new generation means start over; the answer carries it. */
async function receiveOffer (message) {
  if (typeof message.generation !== 'number')
    return;
  let pc = state.pc;
  if (!pc || message.generation !== state.generation) {
    const early = state.pendingCandidates.filter((c) => c.generation === message.generation);
    state.generation = message.generation;
    pc = newPeerConnection();
    state.pendingCandidates = early;
    /* The offer first: our tracks then go out on its transceivers
     * instead of new ones the offer does not know. */
    await pc.setRemoteDescription({ type: 'offer', sdp: message.sdp });
    addLocalTracks(pc);
  } else {
    await pc.setRemoteDescription({ type: 'offer', sdp: message.sdp });
  }
  const answer = await pc.createAnswer();
  await pc.setLocalDescription(answer);
  send({ type: 'answer', booking_id: state.booking.id, sdp: answer.sdp, generation: message.generation });
  flushCandidates();
}

function receiveCandidate (message) {
  if (!message.candidate)
    return;
  const candidate = { candidate: message.candidate, sdpMLineIndex: message.sdp_mline_index,
                      generation: message.generation };
  if (state.pc && message.generation === state.generation && state.pc.remoteDescription)
    state.pc.addIceCandidate(candidate).catch(() => {});
  else if (!state.pc || message.generation === state.generation || state.role === 'student')
    state.pendingCandidates.push(candidate);
}

function flushCandidates () {
  const waiting = state.pendingCandidates;
  state.pendingCandidates = [];
  for (const c of waiting) {
    if (c.generation === state.generation)
      state.pc.addIceCandidate({ candidate: c.candidate, sdpMLineIndex: c.sdpMLineIndex }).catch(() => {});
  }
}

function closePeer () {
  if (state.pc) {
    state.pc.close();
    state.pc = null;
  }
}

function hangUp () {
  state.leaving = true;
  closePeer();
  if (state.ws) {
    state.ws.close(1000);
    state.ws = null;
  }
}

function leave () {
  send({ type: 'leave', booking_id: state.booking.id });
  hangUp();
  loadBookings();
}

function endLesson () {
  send({ type: 'end', booking_id: state.booking.id });
}

/* Chat: a client id per message makes sending exactly-once. */

function showChat (message) {
  if (state.shownSeqs.has(message.seq))
    return;
  const existing = document.querySelector(`[data-client-id="${CSS.escape(message.client_id)}"]`);
  state.shownSeqs.add(message.seq);
  state.lastSeq = Math.max(state.lastSeq, message.seq);
  if (existing) {
    existing.classList.remove('pending');
    return;
  }
  appendChat(message.sender.display_name, message.text, message.sent_at, message.client_id, false);
  const me = (state.user.user || state.user).id;
  if (message.sender.id !== me)
    state.report.chatReceived.push(message.text);
}

function appendChat (name, text, sentAt, clientId, pending) {
  const item = document.createElement('li');
  item.dataset.clientId = clientId;
  if (pending)
    item.classList.add('pending');
  const meta = document.createElement('div');
  meta.className = 'meta';
  meta.textContent = `${name} · ${new Date(sentAt).toLocaleTimeString(LANG, { timeStyle: 'short' })}`;
  const body = document.createElement('div');
  body.textContent = text;
  item.append(meta, body);
  $('messages').append(item);
  item.scrollIntoView({ block: 'end' });
}

function sendChat (text) {
  const clientId = crypto.randomUUID();
  state.outbox.set(clientId, text);
  appendChat((state.user.user || state.user).display_name, text, new Date().toISOString(), clientId, true);
  send({ type: 'chat', booking_id: state.booking.id, client_id: clientId, text });
}

/* Automated tests (tests/web): #test=USER:PASSWORD:BOOKING[:CHAT][&ticket=TICKET]
 * logs in, joins (opening the first WebSocket with TICKET if given), sends
 * CHAT once connected and reports what it sees into #test-report and the
 * console. Inert without that fragment. */

function testParams () {
  const match = /^#test=([^:&]+):([^:&]+):(\d+)(?::([^&]*))?(?:&ticket=([^&]+))?$/.exec(location.hash);
  return match ? { user: match[1], password: match[2], booking: Number(match[3]), chat: match[4],
                   ticket: match[5] ? decodeURIComponent(match[5]) : null } : null;
}

let autoStarted = false;

function autoTest (bookings) {
  const params = testParams();
  if (!params || autoStarted)
    return;
  autoStarted = true;
  state.testTicket = params.ticket;
  const booking = bookings.find((b) => b.id === params.booking);
  if (!booking)
    return;
  preJoin(booking).then(join);
  let sentChat = false;
  setInterval(async () => {
    const report = { role: state.role, connection: state.pc ? state.pc.connectionState : null,
                     peerMedia: state.peerMedia, chatReceived: state.report.chatReceived,
                     outbox: state.outbox.size, errors: state.report.errors,
                     closeCode: state.report.closeCode, ended: !!state.report.ended,
                     joined: !!state.report.joined, lang: document.documentElement.lang,
                     notice: $('notice').hidden ? null : $('notice').textContent,
                     inbound: state.report.inbound || {}, outbound: {} };
    if (state.pc) {
      const stats = await state.pc.getStats();
      report.inbound = state.report.inbound = {};
      stats.forEach((s) => {
        if (s.type === 'inbound-rtp')
          report.inbound[s.kind] = { packets: s.packetsReceived, bytes: s.bytesReceived, frames: s.framesDecoded };
        if (s.type === 'outbound-rtp')
          report.outbound[s.kind] = { packets: s.packetsSent, bytes: s.bytesSent };
      });
    }
    if (!sentChat && params.chat && state.pc && state.pc.connectionState === 'connected') {
      sentChat = true;
      sendChat(decodeURIComponent(params.chat));
      /* The peer must see the mute (media-state). */
      setTimeout(() => setMuted(true), 3000);
    }
    $('test-report').textContent = JSON.stringify(report);
    console.log('MC-REPORT ' + JSON.stringify(report));
  }, 500);
}

/* Start */

function start () {
  translatePage();
  $('login-form').addEventListener('submit', login);
  $('logout').addEventListener('click', logout);
  $('join-button').addEventListener('click', join);
  $('check-back').addEventListener('click', () => { clearInterval(meterTimer); meterTimer = null; show('bookings-view'); });
  $('rejoin-dismiss').addEventListener('click', () => { $('rejoin').hidden = true; });
  $('mute').addEventListener('click', () => setMuted(!state.muted));
  $('camera').addEventListener('click', () => setCameraOff(!state.cameraOff));
  $('leave').addEventListener('click', leave);
  $('end').addEventListener('click', endLesson);
  $('chat-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const text = $('chat-input').value.trim();
    if (text) {
      sendChat(text);
      $('chat-input').value = '';
    }
  });

  const params = testParams();
  if (params && !state.token) {
    api('POST', '/api/v1/auth/login', { username: params.user, password: params.password })
      .then((answer) => { state.token = answer.token; loadBookings(); })
      .catch((e) => notice(e.message));
    return;
  }
  if (state.token)
    loadBookings();
  else
    show('login-view');
}

start();
