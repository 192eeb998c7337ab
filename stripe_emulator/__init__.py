"""A local Stripe for development and tests: localstripe (PyPI) plus what it lacks for Connect.

localstripe emulates customers, payment methods, manual-capture PaymentIntents, captures,
refunds and signed webhooks, statefully. Quartier charges on the helper's own connected account
(direct charges), which localstripe does not know, so `stripe_emulator.connect` adds, in the
emulator's own process:

- Express accounts (`/v1/accounts`) and account links (`/v1/account_links`) whose URL is an
  onboarding page of the emulator that completes the account and sends `account.updated`;
- the `Stripe-Account` header: objects created with it belong to that account and are found
  only with it (404 otherwise), and the events they cause carry `account`;
- balance transactions with Stripe's processing fee (2.9 % + 30 minor units, the Swiss card
  price), computed on the amount actually captured;
- `Idempotency-Key`: the first answer to a key is replayed, a reuse with other parameters is
  refused (400 `idempotency_error`), as Stripe does;
- each request's parameters checked against the `stripe` SDK's typed parameter definitions
  (`stripe.params`): an unknown parameter is refused (400 `parameter_unknown`);
- Stripe's declining test cards (`stripe_emulator.declines`): a PaymentIntent confirmed with
  one is refused with Stripe's error object (`card_error`, its `code` and `decline_code`);
- faults on demand (`POST /_config/faults`): the next N requests to a path answer 500 or are
  held longer than the client waits.

Run it with `python -m stripe_emulator --port 8420 --state-dir DIR` (it binds 127.0.0.1).
"""
