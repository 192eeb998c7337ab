/*
 * Quartier's additions to localstripe's Stripe.js (served after it, in the same script, at
 * the emulator's /js.stripe.com/v3/): what Quartier's pages use of Stripe.js and localstripe's
 * lacks.
 *
 * - Stripe(key, {stripeAccount}): objects made for a connected account (direct charges) are
 *   made on that account (sent as ?_stripe_account=, which the emulator reads like the
 *   Stripe-Account header; a header would need a CORS preflight localstripe does not answer);
 * - stripe.createPaymentMethod({type: 'card', card: element}): a card PaymentMethod from the
 *   card element, answered {paymentMethod} or {error} as Stripe.js does;
 * - stripe.confirmCardPayment(clientSecret): localstripe's 3-D Secure challenge (its modal),
 *   on a PaymentIntent of the connected account;
 * - the card element's fields carry labels (aria-label) and the autocomplete hints a card form
 *   needs, so that the page stays accessible.
 */
(function () {
  const labels = {
    number: 'Card number',
    exp_month: 'Expiry month (MM)',
    exp_year: 'Expiry year (YY)',
    cvc: 'Security code (CVC)',
    postal_code: 'Postcode',
  };
  const autocomplete = {
    number: 'cc-number', exp_month: 'cc-exp-month', exp_year: 'cc-exp-year',
    cvc: 'cc-csc', postal_code: 'postal-code',
  };
  const mount = Element.prototype.mount;
  Element.prototype.mount = function (domElement) {
    mount.call(this, domElement);
    Object.keys(this._inputs || {}).forEach(field => {
      const input = this._inputs[field];
      input.setAttribute('aria-label', labels[field]);
      input.setAttribute('autocomplete', autocomplete[field]);
      input.setAttribute('inputmode', 'numeric');
      input.setAttribute('name', 'localstripe-' + field);
    });
  };

  const localstripe = Stripe;
  Stripe = function (apiKey, options) {
    const stripe = localstripe(apiKey);
    const account = options && options.stripeAccount;
    const query = account ? '?_stripe_account=' + encodeURIComponent(account) : '';
    stripe.createPaymentMethod = async function (data) {
      const element = data && data.card;
      if (!element || !element.value || !element.value.card) {
        return {error: {type: 'validation_error', code: 'incomplete_number',
                        message: 'Your card number is incomplete.'}};
      }
      const card = element.value.card;
      try {
        const response = await fetch(`${LOCALSTRIPE_BASE_API}/v1/payment_methods${query}`, {
          method: 'POST',
          body: JSON.stringify({
            key: apiKey,
            type: 'card',
            card: {
              number: card.number, exp_month: card.exp_month,
              exp_year: card.exp_year, cvc: card.cvc,
            },
          }),
        });
        const body = await response.json().catch(() => ({}));
        if (response.status !== 200 || body.error) {
          return {error: body.error || {message: 'The card was not accepted.'}};
        }
        return {paymentMethod: body};
      } catch (err) {
        return {error: {message: String(err)}};
      }
    };
    stripe.confirmCardPayment = async function (clientSecret) {
      try {
        const success = await openModal(
          '3D Secure\nDo you want to confirm or cancel?',
          'Complete authentication', 'Fail authentication');
        const pi = clientSecret.match(/^(pi_\w+)_secret_/)[1];
        const scope = account ? '&_stripe_account=' + encodeURIComponent(account) : '';
        const response = await fetch(
          `${LOCALSTRIPE_BASE_API}/v1/payment_intents/${pi}/_authenticate?success=${success}${scope}`,
          {method: 'POST', body: JSON.stringify({key: apiKey, client_secret: clientSecret})});
        const body = await response.json().catch(() => ({}));
        if (response.status !== 200 || body.error) {
          return {error: body.error || {message: 'The payment was not confirmed.'}};
        }
        if (body.status !== 'requires_capture' && body.status !== 'succeeded') {
          return {error: {message: 'The payment was not confirmed.'}, paymentIntent: body};
        }
        return {paymentIntent: body};
      } catch (err) {
        return {error: {message: String(err)}};
      }
    };
    return stripe;
  };
})();
