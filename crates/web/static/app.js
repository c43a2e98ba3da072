// Progressive enhancement: drag and drop onto the attachment fields. Without JavaScript the
// plain file inputs and their "Enviar" buttons do the same.
document.querySelectorAll('.drop-zone').forEach(function (zone) {
  var input = zone.querySelector('input[type=file]');
  if (!input) return;
  ['dragenter', 'dragover'].forEach(function (type) {
    zone.addEventListener(type, function (e) { e.preventDefault(); zone.classList.add('dragging'); });
  });
  ['dragleave', 'drop'].forEach(function (type) {
    zone.addEventListener(type, function () { zone.classList.remove('dragging'); });
  });
  zone.addEventListener('drop', function (e) {
    e.preventDefault();
    if (e.dataTransfer && e.dataTransfer.files.length) {
      input.files = e.dataTransfer.files;
      var label = zone.querySelector('.upload-label');
      if (label) label.textContent = e.dataTransfer.files[0].name;
    }
  });
});

// The confirmations of irreversible actions open as a modal dialog on the same page (focus
// kept inside, Esc closes). Without JavaScript the same links lead to a confirmation page.
document.querySelectorAll('a[data-confirm]').forEach(function (link) {
  var dialog = document.getElementById(link.getAttribute('data-confirm'));
  if (!dialog || typeof dialog.showModal !== 'function') return;
  link.addEventListener('click', function (e) {
    e.preventDefault();
    dialog.showModal();
  });
});
document.querySelectorAll('dialog [data-close-dialog]').forEach(function (button) {
  button.addEventListener('click', function (e) {
    e.preventDefault();
    button.closest('dialog').close();
  });
});

// "Reenviar código" counts down to when a new code may be asked for; the server refuses an
// early request anyway, with the same wait.
document.querySelectorAll('[data-countdown]').forEach(function (box) {
  var left = parseInt(box.getAttribute('data-countdown'), 10);
  var button = document.getElementById(box.getAttribute('data-for'));
  var text = box.querySelector('.countdown-text');
  if (!button || !text || !(left > 0)) return;
  button.disabled = true;
  var tick = function () {
    if (left <= 0) {
      button.disabled = false;
      text.textContent = 'Você já pode pedir outro código.';
      return;
    }
    text.textContent = 'Você poderá pedir outro código em ' + left + (left === 1 ? ' segundo.' : ' segundos.');
    left -= 1;
    setTimeout(tick, 1000);
  };
  tick();
});
