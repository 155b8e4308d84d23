// Updates "Total if you accept" as optional lines are ticked. The server
// computes the stored total the same way: the chosen lines' amounts added
// to the subtotal, and tax at the proposal's ratio of tax to subtotal.
(function () {
  var form = document.getElementById('accept-form');
  var output = document.getElementById('accept-total');
  if (!form || !output) return;
  var subtotal = Number(form.dataset.subtotal);
  var tax = Number(form.dataset.tax);
  var money = new Intl.NumberFormat(form.dataset.locale || undefined, { style: 'currency', currency: form.dataset.currency });
  var digits = money.resolvedOptions().maximumFractionDigits;

  function update() {
    var chosen = 0;
    form.querySelectorAll('input[name="optionalLines"]:checked').forEach(function (box) {
      chosen += Number(box.dataset.amount);
    });
    var chosenTax = subtotal === 0 ? 0 : Math.round((chosen * tax) / subtotal);
    var total = subtotal + chosen + tax + chosenTax;
    output.textContent = money.format(total / Math.pow(10, digits));
  }

  form.addEventListener('change', update);
  update();
})();
