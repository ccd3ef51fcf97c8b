// A real OpenID Connect provider for the tests: the npm package oidc-provider on loopback, with
// one client (the runtime under test) and test persons carrying the Swedish OIDC claims
// (https://id.oidc.se/claim/personalIdentityNumber). Its development interactions ask for a
// login (the personnummer; any password) and a consent.
//
//   node oidc-provider.mjs            listens on 127.0.0.1:$OIDC_PORT (default 3000)
//   OIDC_REDIRECT=http://127.0.0.1:18181/auth/oidc/callback (the runtime's callback)
//
// With OIDC_SIGN_KEY=<the runtime's [oidc] request_key, a PEM file> it is also the provider
// side of OIDC Sweden's "Signature Extension for OpenID Connect" (v1.2), which oidc-provider
// does not know, written here in its configuration:
// - discovery declares the scope https://id.oidc.se/scope/sign, the claim
//   https://id.oidc.se/claim/userSignature, Request Objects and the claims parameter;
// - the client's Request Objects must be signed (RS256) with that key; a request with the sign
//   scope must carry https://id.oidc.se/param/signRequest (tbs_data, sign_message) and prompt
//   "login consent", else invalid_request (§5.1); a signRequest without the scope too;
// - a personnummer the claims parameter binds the signature to (essential, with a value) must be
//   the person who logs in, checked before the sign message is shown, else access_denied;
// - the consent page shows the sign message and "signs": the signature is BankID's signature
//   XML shape (what the claim mapping of OIDC Sweden gives brokers of BankID), with tbs_data as
//   usrNonVisibleData and the message as usrVisibleData; not cryptographically signed;
// - the ID token (never userinfo) carries it as https://id.oidc.se/claim/userSignature, and
//   auth_time.
// The interactions are then this file's own (same fields as the development ones, so the
// log-in helpers of the tests work in both modes). Test-only faults, chosen in the password
// field at log-in: "fault:ignore-binding" (signs for whoever logs in) and "fault:wrong-tbs"
// (signs other data than the tbs_data sent): a misbehaving provider, to test the runtime's
// own checks.

import { createHash, createPublicKey, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import Provider, { errors } from 'oidc-provider';

const port = Number(process.env.OIDC_PORT || 3000);
const redirect = process.env.OIDC_REDIRECT || 'http://127.0.0.1:18181/auth/oidc/callback';
const signKey = process.env.OIDC_SIGN_KEY;
const PNR = 'https://id.oidc.se/claim/personalIdentityNumber';
const SCOPE = 'https://id.oidc.se/scope/naturalPersonNumber';
const SIGN_SCOPE = 'https://id.oidc.se/scope/sign';
const SIGN_APPROVAL_SCOPE = 'https://id.oidc.se/scope/signApproval';
const SIGN_REQUEST = 'https://id.oidc.se/param/signRequest';
const USER_SIGNATURE = 'https://id.oidc.se/claim/userSignature';

// Skatteverket's test personnummer, as the runtime's development log-in has them.
const ACCOUNTS = {
  '191212121212': ['Tolvan', 'Tolvansson'],
  '198112289874': ['Anna', 'Andersson'],
  '199001012385': ['Erik', 'Eriksson'],
};

// Signature requests by the nonce of their authorization request: the signRequest (from the
// verified Request Object), then the fault chosen at log-in, then the signature made.
const signRequests = new Map();
const faults = new Map();
const signatures = new Map();

const client = {
  client_id: 'blankett-test',
  client_secret: 'test-secret',
  redirect_uris: redirect.split(','),
  grant_types: ['authorization_code'],
  response_types: ['code'],
  token_endpoint_auth_method: 'client_secret_basic',
};
if (signKey) {
  const jwk = createPublicKey(readFileSync(signKey)).export({ format: 'jwk' });
  // The key id is the RFC 7638 thumbprint, as the runtime's /auth/oidc/jwks.json has it.
  const kid = createHash('sha256').update(JSON.stringify({ e: jwk.e, kty: 'RSA', n: jwk.n })).digest('base64url');
  client.jwks = { keys: [{ ...jwk, kid, use: 'sig', alg: 'RS256' }] };
  client.request_object_signing_alg = 'RS256';
}

const scopesOf = (params) => String(params.scope || '').split(' ');

/** §5.1 of the Signature Extension, on the verified Request Object's claims. */
function checkSignRequest(ctx, claims) {
  const scopes = scopesOf(claims);
  const sign = scopes.includes(SIGN_SCOPE);
  const request = claims[SIGN_REQUEST];
  if (!sign && !scopes.includes(SIGN_APPROVAL_SCOPE)) {
    if (request !== undefined) throw new errors.InvalidRequest(`${SIGN_REQUEST} without the sign scope`);
    return;
  }
  if (typeof request !== 'object' || request === null) throw new errors.InvalidRequest(`${SIGN_REQUEST} missing`);
  if (sign && typeof request.tbs_data !== 'string') throw new errors.InvalidRequest('tbs_data missing');
  const message = request.sign_message;
  if (typeof message !== 'object' || message === null) throw new errors.InvalidRequest('sign_message missing');
  if ((message.mime_type || 'text/plain') !== 'text/plain') throw new errors.InvalidRequest('unsupported sign_message mime_type');
  const prompt = String(claims.prompt || '').split(' ');
  if (!prompt.includes('login') || !prompt.includes('consent')) throw new errors.InvalidRequest('prompt must include login and consent');
  signRequests.set(claims.nonce, request);
}

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [client],
  scopes: ['openid', 'profile', SCOPE, ...(signKey ? [SIGN_SCOPE] : [])],
  claims: {
    openid: ['sub'],
    profile: ['name', 'given_name', 'family_name'],
    [SCOPE]: [PNR],
    ...(signKey ? { [SIGN_SCOPE]: [USER_SIGNATURE] } : {}),
  },
  // The claims of the scopes asked for go in the ID token too, as Swedish brokers do.
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  features: signKey ? {
    devInteractions: { enabled: false },
    claimsParameter: { enabled: true },
    requestObjects: {
      enabled: true,
      requireSignedRequestObject: false,
      async assertJwtClaimsAndHeader(ctx, claims) { checkSignRequest(ctx, claims); },
    },
  } : { devInteractions: { enabled: true } },
  ...(signKey ? {
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    discovery: { 'https://id.oidc.se/disco/userMessageSupportedMimeTypes': ['text/plain'] },
  } : {}),
  cookies: { keys: ['blankett-browser-test'] },
  async findAccount(ctx, id, token) {
    const person = ACCOUNTS[id];
    if (!person) return undefined;
    const [given, family] = person;
    return {
      accountId: id,
      async claims(use) {
        const claims = { sub: id, name: `${given} ${family}`, given_name: given, family_name: family, [PNR]: id };
        // §5.2: the signature in the ID token, never from userinfo.
        const signature = use === 'id_token' && token?.nonce && signatures.get(token.nonce);
        if (signature) claims[USER_SIGNATURE] = signature;
        return claims;
      },
    };
  },
});

const html = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (title, body) => `<!doctype html><html lang="sv"><head><meta charset="utf-8"><title>${html(title)}</title></head><body><h1>${html(title)}</h1>${body}</body></html>`;

async function formBody(req) {
  let text = '';
  for await (const chunk of req) text += chunk;
  return Object.fromEntries(new URLSearchParams(text));
}

/** The message to show: the one for Swedish, else the one without a language. */
function signMessage(request) {
  const m = request.sign_message;
  const b64 = m['message#sv'] ?? m.message ?? Object.entries(m).find(([k]) => k.startsWith('message#'))?.[1] ?? '';
  return Buffer.from(String(b64), 'base64').toString('utf8');
}

/** BankID's signature XML shape over the tbs_data (or, as a fault, over something else). */
function signatureOf(request, fault) {
  const tbs = fault === 'fault:wrong-tbs'
    ? createHash('sha256').update('not what the relying party sent').digest('base64')
    : request.tbs_data;
  const visible = Buffer.from(signMessage(request)).toString('base64');
  const xml = '<?xml version="1.0" encoding="UTF-8" standalone="no"?>'
    + '<Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><SignatureValue>OIDC-TEST-PROVIDER-NOT-SIGNED</SignatureValue>'
    + '<Object><bankIdSignedData xmlns="http://www.bankid.com/signature/v1.0.0/types" Id="bidSignedData">'
    + `<usrVisibleData charset="UTF-8" visible="wysiwys">${visible}</usrVisibleData>`
    + `<usrNonVisibleData>${tbs}</usrNonVisibleData>`
    + `<srvInfo><nonce>${randomUUID()}</nonce></srvInfo><clientInfo><funcId>Signing</funcId></clientInfo>`
    + '</bankIdSignedData></Object></Signature>';
  return Buffer.from(xml).toString('base64');
}

/** The personnummer the claims parameter binds the request to, if any (§4.1.1). */
function boundPnr(params) {
  try {
    const wanted = JSON.parse(params.claims || '{}')?.id_token?.[PNR];
    return wanted?.essential && wanted.value ? String(wanted.value) : undefined;
  } catch {
    return undefined;
  }
}

async function interaction(req, res) {
  const details = await provider.interactionDetails(req, res);
  const { uid, prompt, params, session } = details;
  const signing = scopesOf(params).includes(SIGN_SCOPE);
  const request = signRequests.get(params.nonce);
  const finish = (result, merge = true) => provider.interactionFinished(req, res, result, { mergeWithLastSubmission: merge });
  if (signing && !request) {
    // The sign scope without a verified Request Object carrying the signRequest.
    return finish({ error: 'invalid_request', error_description: `${SIGN_REQUEST} missing` }, false);
  }
  if (req.method === 'GET') {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    if (prompt.name === 'login') {
      return res.end(page(signing ? 'Legitimera dig för att skriva under' : 'Sign-in', `<form method="post" action="/interaction/${uid}">
<input type="hidden" name="prompt" value="login">
<label>Personnummer <input name="login" autocomplete="off"></label>
<label>Lösenord <input name="password" type="password"></label>
<button type="submit">Logga in</button></form>`));
    }
    const message = signing ? `<p>Du skriver under:</p><pre>${html(signMessage(request))}</pre>` : '';
    return res.end(page(signing ? 'Skriv under' : 'Authorize', `${message}<form method="post" action="/interaction/${uid}">
<input type="hidden" name="prompt" value="consent"><button type="submit">${signing ? 'Skriv under' : 'Continue'}</button></form>
<form method="post" action="/interaction/${uid}"><input type="hidden" name="prompt" value="abort"><button type="submit">Avbryt</button></form>`));
  }
  const body = await formBody(req);
  if (body.prompt === 'abort') {
    return finish({ error: 'access_denied', error_description: 'End-User aborted interaction' }, false);
  }
  if (body.prompt === 'login' && prompt.name === 'login') {
    const accountId = String(body.login || '');
    if (!ACCOUNTS[accountId]) return finish({ error: 'access_denied', error_description: 'unknown person' }, false);
    const fault = String(body.password || '');
    const bound = boundPnr(params);
    // §5.1: the identity is proven to match before the sign message is shown.
    if (signing && bound && bound !== accountId && fault !== 'fault:ignore-binding') {
      return finish({ error: 'access_denied', error_description: 'the person is not the one the signature request names' }, false);
    }
    if (signing) faults.set(params.nonce, fault);
    return finish({ login: { accountId } }, false);
  }
  if (body.prompt === 'consent' && prompt.name === 'consent') {
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
    if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
    const grantId = await grant.save();
    if (signing) {
      signatures.set(params.nonce, signatureOf(request, faults.get(params.nonce)));
      signRequests.delete(params.nonce);
      faults.delete(params.nonce);
    }
    return finish({ consent: { grantId } });
  }
  res.statusCode = 400;
  return res.end('unexpected interaction');
}

let server;
if (signKey) {
  const handle = provider.callback();
  server = createServer((req, res) => {
    if (req.url.startsWith('/interaction/')) {
      interaction(req, res).catch((e) => {
        console.error(e);
        res.statusCode = 400;
        res.end(String(e.message || e));
      });
    } else {
      handle(req, res);
    }
  });
  server.listen(port, '127.0.0.1', () => console.log(`oidc-provider (signing) listening on http://127.0.0.1:${port}`));
} else {
  server = provider.listen(port, '127.0.0.1', () => {
    console.log(`oidc-provider listening on http://127.0.0.1:${port}`);
  });
}
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
