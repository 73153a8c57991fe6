// The report page's "Cetak" button opens the browser's print dialog (the CSP allows no inline
// script; this file is the console's own). Without script the button does nothing and Ctrl+P
// prints the same page.
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
