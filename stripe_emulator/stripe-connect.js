/*
 * Quartier's additions to localstripe's Stripe.js (served after it, in the same script, at
 * the emulator's /js.stripe.com/v3/): what Quartier's pages use of Stripe.js and localstripe's
 * lacks.
 *
 * - Stripe(key, {stripeAccount, locale}): objects made for a connected account (direct
 *   charges) are made on that account (sent as ?_stripe_account=, which the emulator reads like
 *   the Stripe-Account header; a header would need a CORS preflight localstripe does not
 *   answer);
 * - the card element speaks the `locale` given to Stripe() or elements() (de, fr, it, en; 'auto'
 *   is the page's language), as Stripe Elements does: its fields' labels (aria-label) and
 *   placeholders, and its messages. Its fields: the card number, the expiry as MM/YY or
 *   MM/YYYY, the security code and the postcode, with the autocomplete hints a card form needs;
 * - stripe.createPaymentMethod({type: 'card', card: element}): a card PaymentMethod from the
 *   card element, answered {paymentMethod} or {error} as Stripe.js does; a card entry that
 *   cannot be a card (too short, an expiry that is no month or has passed) is refused before
 *   anything is sent, and every refusal is said in the element's language;
 * - stripe.confirmCardPayment(clientSecret): localstripe's 3-D Secure challenge (its modal),
 *   on a PaymentIntent of the connected account.
 */
(function () {
  const WORDS = {
    en: {
      number: 'Card number', expiry: 'Expiry date (MM/YY)', cvc: 'Security code (CVC)',
      postal_code: 'Postcode', expiry_hint: 'MM/YY', postal_hint: 'Postcode',
      incomplete_number: 'Your card number is incomplete.',
      incomplete_expiry: "Your card's expiry date is incomplete: write it as MM/YY or MM/YYYY.",
      invalid_expiry_month: "Your card's expiry month is invalid.",
      expired_card: "Your card's expiry date is in the past.",
      incomplete_cvc: "Your card's security code is incomplete.",
      incorrect_cvc: "Your card's security code is incorrect.",
      card_declined: 'Your card was declined.',
      not_accepted: 'The card was not accepted: please check its details.',
      confirm: '3-D Secure\nDo you want to confirm or cancel the payment?',
      confirm_yes: 'Complete authentication', confirm_no: 'Fail authentication',
      not_confirmed: 'The payment was not confirmed.',
    },
    de: {
      number: 'Kartennummer', expiry: 'Ablaufdatum (MM/JJ)', cvc: 'Sicherheitscode (CVC)',
      postal_code: 'Postleitzahl', expiry_hint: 'MM/JJ', postal_hint: 'PLZ',
      incomplete_number: 'Ihre Kartennummer ist unvollständig.',
      incomplete_expiry: 'Das Ablaufdatum Ihrer Karte ist unvollständig: Schreiben Sie es als ' +
        'MM/JJ oder MM/JJJJ.',
      invalid_expiry_month: 'Der Ablaufmonat Ihrer Karte ist ungültig.',
      expired_card: 'Das Ablaufdatum Ihrer Karte liegt in der Vergangenheit.',
      incomplete_cvc: 'Der Sicherheitscode Ihrer Karte ist unvollständig.',
      incorrect_cvc: 'Der Sicherheitscode Ihrer Karte ist falsch.',
      card_declined: 'Ihre Karte wurde abgelehnt.',
      not_accepted: 'Die Karte wurde nicht angenommen: Bitte prüfen Sie die Angaben.',
      confirm: '3-D Secure\nMöchten Sie die Zahlung bestätigen oder abbrechen?',
      confirm_yes: 'Zahlung bestätigen', confirm_no: 'Abbrechen',
      not_confirmed: 'Die Zahlung wurde nicht bestätigt.',
    },
    fr: {
      number: 'Numéro de carte', expiry: 'Date d’expiration (MM/AA)',
      cvc: 'Code de sécurité (CVC)', postal_code: 'NPA', expiry_hint: 'MM/AA', postal_hint: 'NPA',
      incomplete_number: 'Le numéro de votre carte est incomplet.',
      incomplete_expiry: 'La date d’expiration de votre carte est incomplète : écrivez-la sous ' +
        'la forme MM/AA ou MM/AAAA.',
      invalid_expiry_month: 'Le mois d’expiration de votre carte est invalide.',
      expired_card: 'La date d’expiration de votre carte est dépassée.',
      incomplete_cvc: 'Le code de sécurité de votre carte est incomplet.',
      incorrect_cvc: 'Le code de sécurité de votre carte est incorrect.',
      card_declined: 'Votre carte a été refusée.',
      not_accepted: 'La carte n’a pas été acceptée : veuillez vérifier ses données.',
      confirm: '3-D Secure\nVoulez-vous confirmer ou annuler le paiement ?',
      confirm_yes: 'Confirmer le paiement', confirm_no: 'Annuler',
      not_confirmed: 'Le paiement n’a pas été confirmé.',
    },
    it: {
      number: 'Numero della carta', expiry: 'Data di scadenza (MM/AA)',
      cvc: 'Codice di sicurezza (CVC)', postal_code: 'NPA', expiry_hint: 'MM/AA',
      postal_hint: 'NPA',
      incomplete_number: 'Il numero della carta è incompleto.',
      incomplete_expiry: 'La data di scadenza della carta è incompleta: la scriva come MM/AA ' +
        'o MM/AAAA.',
      invalid_expiry_month: 'Il mese di scadenza della carta non è valido.',
      expired_card: 'La data di scadenza della carta è già passata.',
      incomplete_cvc: 'Il codice di sicurezza della carta è incompleto.',
      incorrect_cvc: 'Il codice di sicurezza della carta non è corretto.',
      card_declined: 'La carta è stata rifiutata.',
      not_accepted: 'La carta non è stata accettata: verifichi i dati.',
      confirm: '3-D Secure\nVuole confermare o annullare il pagamento?',
      confirm_yes: 'Confermare il pagamento', confirm_no: 'Annullare',
      not_confirmed: 'Il pagamento non è stato confermato.',
    },
  };
  const FIELDS = {
    number: {autocomplete: 'cc-number', size: 19, placeholder: () => '1234 1234 1234 1234'},
    expiry: {autocomplete: 'cc-exp', size: 7, placeholder: words => words.expiry_hint},
    cvc: {autocomplete: 'cc-csc', size: 4, placeholder: () => 'CVC'},
    postal_code: {autocomplete: 'postal-code', size: 5, placeholder: words => words.postal_hint},
  };

  // 'auto' (or nothing) is the page's language, as Stripe Elements reads it.
  function wordsFor(locale) {
    const wanted = !locale || locale === 'auto'
      ? document.documentElement.lang || navigator.language || 'en' : locale;
    return WORDS[String(wanted).slice(0, 2).toLowerCase()] || WORDS.en;
  }

  // "12/30", "12 / 2030", "1230", "122030": the month and the four-digit year, or null.
  function expiry(text) {
    const found = /^\s*(\d{1,2})\s*[/.-]\s*(\d{2}|\d{4})\s*$/.exec(text) ||
      /^\s*(\d{2})(\d{2}|\d{4})\s*$/.exec(text);
    if (!found) return null;
    const year = parseInt(found[2], 10);
    return {month: parseInt(found[1], 10), year: year < 100 ? 2000 + year : year};
  }

  // What is wrong with the card as typed (a code of `WORDS`), or null.
  function entryProblem(card) {
    if (!/^\d{12,19}$/.test(card.number)) return 'incomplete_number';
    if (card.exp === null) return 'incomplete_expiry';
    if (card.exp.month < 1 || card.exp.month > 12) return 'invalid_expiry_month';
    const now = new Date();
    if (card.exp.year * 12 + card.exp.month < now.getFullYear() * 12 + now.getMonth() + 1) {
      return 'expired_card';
    }
    if (!/^\d{3,4}$/.test(card.cvc)) return 'incomplete_cvc';
    return null;
  }

  function refusal(words, code) {
    return {type: 'validation_error', code: code, message: words[code]};
  }

  // Stripe's card errors in the element's language; anything else (a bad request) says to
  // check the card's details.
  function saidError(words, error) {
    const code = error && (error.code === 'invalid_expiry_year' ? 'expired_card' : error.code);
    const said = code && words[code] ? words[code]
      : error && error.type === 'card_error' ? words.card_declined : words.not_accepted;
    return Object.assign({}, error || {}, {message: said});
  }

  Element.prototype.mount = function (domElement) {
    const where = typeof domElement === 'string' ? document.querySelector(domElement) : domElement;
    if (this._domChildren.length) return;
    const words = wordsFor(this._locale);
    this._inputs = {};
    Object.keys(FIELDS).forEach(field => {
      const input = document.createElement('input');
      input.type = 'text';
      input.name = 'localstripe-' + field;
      input.setAttribute('aria-label', words[field]);
      input.setAttribute('placeholder', FIELDS[field].placeholder(words));
      input.setAttribute('autocomplete', FIELDS[field].autocomplete);
      input.setAttribute('inputmode', 'numeric');
      input.setAttribute('size', FIELDS[field].size);
      input.oninput = () => (this.listeners.change || []).forEach(handler => handler());
      this._inputs[field] = input;
      this._domChildren.push(input);
      where.appendChild(input);
    });
  };

  // The card as typed: digits of the number and the code, the expiry read as MM/YY or MM/YYYY.
  function typed(element) {
    const inputs = element && element._inputs;
    if (!inputs) return null;
    return {
      number: inputs.number.value.replace(/[\s-]/g, ''),
      exp: expiry(inputs.expiry.value),
      cvc: inputs.cvc.value.trim(),
    };
  }

  const localstripe = Stripe;
  Stripe = function (apiKey, options) {
    const stripe = localstripe(apiKey);
    const account = options && options.stripeAccount;
    const locale = options && options.locale;
    const query = account ? '?_stripe_account=' + encodeURIComponent(account) : '';
    const elements = stripe.elements;
    stripe.elements = function (elementsOptions) {
      const made = elements();
      const create = made.create;
      made.create = function (type, createOptions) {
        const element = create.call(this, type, createOptions);
        element._locale = (elementsOptions && elementsOptions.locale) || locale;
        return element;
      };
      return made;
    };
    stripe.createPaymentMethod = async function (data) {
      const element = data && data.card;
      const words = wordsFor((element && element._locale) || locale);
      const card = typed(element);
      const problem = card === null ? 'incomplete_number' : entryProblem(card);
      if (problem) return {error: refusal(words, problem)};
      try {
        const response = await fetch(`${LOCALSTRIPE_BASE_API}/v1/payment_methods${query}`, {
          method: 'POST',
          body: JSON.stringify({
            key: apiKey,
            type: 'card',
            card: {
              number: card.number, exp_month: card.exp.month, exp_year: card.exp.year,
              cvc: card.cvc,
            },
          }),
        });
        const body = await response.json().catch(() => ({}));
        if (response.status !== 200 || body.error) return {error: saidError(words, body.error)};
        return {paymentMethod: body};
      } catch (err) {
        return {error: {message: words.not_accepted}};
      }
    };
    stripe.confirmCardPayment = async function (clientSecret) {
      const words = wordsFor(locale);
      try {
        const success = await openModal(words.confirm, words.confirm_yes, words.confirm_no);
        const pi = clientSecret.match(/^(pi_\w+)_secret_/)[1];
        const scope = account ? '&_stripe_account=' + encodeURIComponent(account) : '';
        const response = await fetch(
          `${LOCALSTRIPE_BASE_API}/v1/payment_intents/${pi}/_authenticate?success=${success}${scope}`,
          {method: 'POST', body: JSON.stringify({key: apiKey, client_secret: clientSecret})});
        const body = await response.json().catch(() => ({}));
        if (response.status !== 200 || body.error) {
          return {error: {message: words.not_confirmed}};
        }
        if (body.status !== 'requires_capture' && body.status !== 'succeeded') {
          return {error: {message: words.not_confirmed}, paymentIntent: body};
        }
        return {paymentIntent: body};
      } catch (err) {
        return {error: {message: words.not_confirmed}};
      }
    };
    return stripe;
  };
})();
