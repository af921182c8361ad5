// Progressive enhancement only: every page works without this script. It installs the service
// worker that keeps visited public pages readable offline.
'use strict';
if ('serviceWorker' in navigator) {
  const first = !navigator.serviceWorker.controller;
  navigator.serviceWorker.register('/sw.js').then(() => navigator.serviceWorker.ready).then((registration) => {
    if (first && registration.active) registration.active.postMessage({ keep: location.pathname + location.search });
  }).catch(() => {});
}
