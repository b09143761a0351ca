// Behaviour that would otherwise be inline handlers (the Content-Security-Policy allows no onclick=/onchange=).
// <select data-autosubmit>: choosing an option submits its form.
document.addEventListener("change", function (event) {
  var target = event.target;
  if (target && target.matches && target.matches("select[data-autosubmit]") && target.form) {
    target.form.submit();
  }
});
// <button data-print>: prints the page (printable checklists).
document.addEventListener("click", function (event) {
  var target = event.target && event.target.closest ? event.target.closest("[data-print]") : null;
  if (target) {
    window.print();
  }
});
