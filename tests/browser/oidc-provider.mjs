// A real OpenID Connect provider for the browser tests: the npm package oidc-provider on
// loopback, with one client (the runtime under test) and test persons carrying the Swedish
// OIDC claims (https://id.oidc.se/claim/personalIdentityNumber). Its development interactions
// ask for a login (the personnummer; any password) and a consent.
//
//   node oidc-provider.mjs            listens on 127.0.0.1:$OIDC_PORT (default 3000)
//   OIDC_REDIRECT=http://127.0.0.1:18181/auth/oidc/callback (the runtime's callback)

import Provider from 'oidc-provider';

const port = Number(process.env.OIDC_PORT || 3000);
const redirect = process.env.OIDC_REDIRECT || 'http://127.0.0.1:18181/auth/oidc/callback';
const PNR = 'https://id.oidc.se/claim/personalIdentityNumber';
const SCOPE = 'https://id.oidc.se/scope/naturalPersonNumber';

// Skatteverket's test personnummer, as the runtime's development log-in has them.
const ACCOUNTS = {
  '191212121212': ['Tolvan', 'Tolvansson'],
  '198112289874': ['Anna', 'Andersson'],
  '199001012385': ['Erik', 'Eriksson'],
};

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [{
    client_id: 'blankett-test',
    client_secret: 'test-secret',
    redirect_uris: redirect.split(','),
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  scopes: ['openid', 'profile', SCOPE],
  claims: {
    openid: ['sub'],
    profile: ['name', 'given_name', 'family_name'],
    [SCOPE]: [PNR],
  },
  // The claims of the scopes asked for go in the ID token too, as Swedish brokers do.
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ['blankett-browser-test'] },
  async findAccount(ctx, id) {
    const person = ACCOUNTS[id];
    if (!person) return undefined;
    const [given, family] = person;
    return {
      accountId: id,
      async claims() {
        return { sub: id, name: `${given} ${family}`, given_name: given, family_name: family, [PNR]: id };
      },
    };
  },
});

const server = provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider listening on http://127.0.0.1:${port}`);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
