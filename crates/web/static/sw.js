// Balai's service worker: the public pages a visitor has read stay readable without a
// connection. The server marks which responses may be kept (`x-balai-luring: simpan`: public
// pages seen by someone not signed in); nothing personal or from a staff session is kept.
// Pages come from the network first; on a slow line a kept copy is shown after a few seconds
// while the network answer still refreshes it. Makes no request to any other site.
'use strict';
const CSS = '__CSS_URL__';
const OFFLINE = '/luring';
const STATIC = 'balai-statis-' + CSS;
const PAGES = 'balai-halaman';
const MAX_PAGES = 80;
const SLOW_MS = 4000;

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(STATIC).then((c) => c.addAll([OFFLINE, CSS])).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('balai-statis-') && k !== STATIC).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

async function keep(request, response) {
  if (response.ok && response.headers.get('x-balai-luring') === 'simpan') {
    const cache = await caches.open(PAGES);
    await cache.delete(request);
    await cache.put(request, response.clone());
    const keys = await cache.keys();
    for (const old of keys.slice(0, Math.max(0, keys.length - MAX_PAGES))) await cache.delete(old);
  }
  return response;
}

async function fromCache(request) {
  return (await caches.match(request)) || (request.mode === 'navigate' ? caches.match(OFFLINE) : undefined);
}

async function networkFirst(event) {
  const request = event.request;
  const network = fetch(request).then((response) => keep(request, response));
  event.waitUntil(network.catch(() => {}));
  const kept = await caches.match(request);
  if (!kept) return network.catch(async () => (await fromCache(request)) || Response.error());
  const slow = new Promise((resolve) => setTimeout(() => resolve(kept), SLOW_MS));
  return Promise.race([network, slow]).catch(() => kept);
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/static/')) {
    // Content-hashed names: a kept copy is never stale.
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request).then(async (response) => {
      if (response.ok) await (await caches.open(STATIC)).put(request, response.clone());
      return response;
    })));
    return;
  }
  event.respondWith(networkFirst(event));
});

// The page that registered this worker was loaded before it ran: keep it too.
self.addEventListener('message', (event) => {
  const path = event.data && event.data.keep;
  if (typeof path !== 'string' || !path.startsWith('/')) return;
  const request = new Request(path, { credentials: 'same-origin' });
  event.waitUntil(fetch(request).then((response) => keep(request, response)).catch(() => {}));
});
