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
