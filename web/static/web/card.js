/*
 * The card form of a paid visit (web/requests/card.html): Stripe.js's card element, and on
 * submit a card PaymentMethod made by Stripe.js on the helper's Stripe account (a direct
 * charge); only its id is posted to Quartier. Works with Stripe's own Stripe.js and with the
 * local emulator's (QUARTIER_STRIPE_JS_URL decides which the page loads).
 */
(function () {
  'use strict';

  function start(form) {
    if (typeof window.Stripe !== 'function') return;
    // The card element's placeholders and messages in the page's language, not the browser's.
    var locale = form.dataset.locale || 'auto';
    var stripe = window.Stripe(form.dataset.key, {
      stripeAccount: form.dataset.account, locale: locale
    });
    var card = stripe.elements({locale: locale}).create('card');
    card.mount(form.querySelector('[data-card-element]'));
    var field = form.querySelector('input[name$="payment_method"]');
    var problem = form.querySelector('[data-card-error]');
    var button = form.querySelector('button[type="submit"]');
    form.addEventListener('submit', function (event) {
      if (field.value) return;
      event.preventDefault();
      button.disabled = true;
      problem.hidden = true;
      stripe.createPaymentMethod({type: 'card', card: card}).then(function (result) {
        if (result.error) {
          problem.textContent = result.error.message || '';
          problem.hidden = false;
          button.disabled = false;
          // The button had the focus, and lost it when it was disabled: the problem takes it
          // (and is read out), and Shift+Tab leads back into the card's fields to mend it.
          problem.focus();
          return;
        }
        field.value = result.paymentMethod.id;
        form.submit();
      });
    });
  }

  // After a hold asked for 3-D Secure: the challenge on the same PaymentIntent, then the form
  // tells Quartier, which reads the outcome from Stripe (never from this page).
  function authenticate(form) {
    if (typeof window.Stripe !== 'function') return;
    var stripe = window.Stripe(form.dataset.key, {
      stripeAccount: form.dataset.account, locale: form.dataset.locale || 'auto'
    });
    var button = form.querySelector('button[type="submit"]');
    var done = false;
    form.addEventListener('submit', function (event) {
      if (done) return;
      event.preventDefault();
      button.disabled = true;
      stripe.confirmCardPayment(form.dataset.secret).then(function () {
        done = true;
        form.submit();
      });
    });
  }

  document.querySelectorAll('form[data-card-form]').forEach(start);
  document.querySelectorAll('form[data-authenticate-form]').forEach(authenticate);
})();
