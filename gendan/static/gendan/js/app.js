// Behaviour that would otherwise be inline handlers (the Content-Security-Policy allows no onclick=/onchange=).
// <select data-autosubmit>: choosing an option submits its form.
document.addEventListener("change", function (event) {
  var target = event.target;
  if (target && target.matches && target.matches("select[data-autosubmit]") && target.form) {
    target.form.submit();
  }
});
