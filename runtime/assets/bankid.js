// The BankID waiting page: a new QR code every second (BankID's animated QR code) and the
// order's status every two seconds; when it is no longer pending, the page is loaded again
// and the server finishes the log-in or signature. Without JavaScript the page refreshes.
(function () {
  'use strict';
  var img = document.getElementById('bankid-qr');
  var msg = document.getElementById('bankid-message');
  if (!img || !msg || !window.fetch) return;
  var qr = img.getAttribute('src').split('?')[0];
  var status = img.getAttribute('data-status');
  var pageUrl = img.getAttribute('data-page');
  var n = 0;
  var leaving = false;
  // A form sent from this page (cancel, the simulator) decides where to go next, not the poll.
  document.addEventListener('submit', function () { leaving = true; });
  setInterval(function () { n += 1; img.setAttribute('src', qr + '?n=' + n); }, 1000);
  function poll() {
    fetch(status, { credentials: 'same-origin', cache: 'no-store' })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        if (leaving) return;
        if (s.done) { window.location.assign(pageUrl); return; }
        if (msg.textContent !== s.message) msg.textContent = s.message;
        setTimeout(poll, 2000);
      })
      .catch(function () { setTimeout(poll, 4000); });
  }
  setTimeout(poll, 2000);
}());
