// Roster's only script: no inline script anywhere (the CSP forbids it).
(function () {
  'use strict';
  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute('content') : '';
  }
  // Every htmx request carries the page's CSRF token.
  document.addEventListener('htmx:configRequest', function (event) {
    event.detail.headers['X-CSRF-TOKEN'] = csrfToken();
  });
  // Forms marked data-confirm-count only submit once the typed number matches.
  document.addEventListener('input', function (event) {
    var input = event.target;
    if (!input.matches || !input.matches('[data-confirm-expected]')) { return; }
    var button = document.getElementById(input.getAttribute('data-confirm-button'));
    if (button) { button.disabled = input.value.trim() !== input.getAttribute('data-confirm-expected'); }
  });
  // Drag and drop onto a file picker's drop zone.
  document.addEventListener('DOMContentLoaded', function () {
    document.querySelectorAll('[data-dropzone]').forEach(function (zone) {
      var input = document.getElementById(zone.getAttribute('data-dropzone'));
      var label = zone.querySelector('[data-dropzone-name]');
      ['dragenter', 'dragover'].forEach(function (name) {
        zone.addEventListener(name, function (e) { e.preventDefault(); zone.classList.add('dragging'); });
      });
      ['dragleave', 'drop'].forEach(function (name) {
        zone.addEventListener(name, function (e) { e.preventDefault(); zone.classList.remove('dragging'); });
      });
      zone.addEventListener('drop', function (e) {
        if (e.dataTransfer && e.dataTransfer.files.length) {
          input.files = e.dataTransfer.files;
          if (label) { label.textContent = e.dataTransfer.files[0].name; }
        }
      });
      input.addEventListener('change', function () {
        if (label && input.files.length) { label.textContent = input.files[0].name; }
      });
    });
  });
})();
