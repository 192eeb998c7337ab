/*
 * The card form of a paid visit (web/requests/card.html): Stripe.js's card element, and on
 * submit a card PaymentMethod made by Stripe.js on the helper's Stripe account (a direct
 * charge); only its id is posted to Quartier. Works with Stripe's own Stripe.js and with the
 * local emulator's (QUARTIER_STRIPE_JS_URL decides which; the form names it, data-stripe-js).
 *
 * Stripe.js is loaded once a form needs it: when the page opens with the card step, or when a
 * live redraw of the request's page brings it (htmx:afterSettle), on a page whose policy lets
 * it in beforehand. Each form is started once.
 */
(function () {
  'use strict';

  var started = new WeakSet();
  var loading = null;

  function stripeJs(src) {
    if (typeof window.Stripe === 'function') return Promise.resolve();
    if (loading === null) {
      loading = new Promise(function (resolve, reject) {
        var script = document.createElement('script');
        script.src = src;
        script.onload = resolve;
        script.onerror = function () {
          loading = null;
          reject(new Error('Stripe.js did not load'));
        };
        document.head.appendChild(script);
      });
    }
    return loading;
  }

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

  function startAll() {
    [['form[data-card-form]', start], ['form[data-authenticate-form]', authenticate]].forEach(
      function (kind) {
        document.querySelectorAll(kind[0]).forEach(function (form) {
          if (started.has(form)) return;
          started.add(form);
          stripeJs(form.dataset.stripeJs).then(function () { kind[1](form); }, function () {
            started.delete(form); // tried again with the next redraw
          });
        });
      }
    );
  }

  startAll();
  document.addEventListener('htmx:afterSettle', startAll);
})();
