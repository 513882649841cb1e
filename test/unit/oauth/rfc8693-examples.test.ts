/**
 * RFC 8693's own examples decode and map as the RFC says. The Appendix A.2 tokens are the
 * RFC's compact JWTs (their signing key is not published, so only their payloads are read,
 * unverified); the §4.1 and §4.4 payloads are the RFC's figures.
 */
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { mayActAllows, parseActClaim, parseMayActClaim } from '../../../src/oauth/index.js';
import { buildActClaim } from '../../../src/oauth/act-claim.js';

/** RFC 8693 §4.1, the `act` claim example: admin@example.com acts for user@example.com. */
const SECTION_4_1_ACT = {
  aud: 'https://consumer.example.com',
  iss: 'https://issuer.example.com',
  exp: 1443904177,
  nbf: 1443904077,
  sub: 'user@example.com',
  act: { sub: 'admin@example.com' },
};

/** RFC 8693 §4.1, the nested `act` example: service16 is the current actor, service77 prior. */
const SECTION_4_1_NESTED = {
  aud: 'https://service26.example.com',
  iss: 'https://issuer.example.com',
  exp: 1443904100,
  nbf: 1443904000,
  sub: 'user@example.com',
  act: {
    sub: 'https://service16.example.com',
    act: { sub: 'https://service77.example.com' },
  },
};

/** RFC 8693 §4.4, the `may_act` example: admin@example.com may act for user@example.com. */
const SECTION_4_4_MAY_ACT = {
  aud: 'https://consumer.example.com',
  iss: 'https://issuer.example.com',
  exp: 1443904177,
  nbf: 1443904077,
  sub: 'user@example.com',
  may_act: { sub: 'admin@example.com' },
};

/** RFC 8693 Appendix A.2.1: the delegation request's subject_token (carries may_act). */
const A_2_1_SUBJECT_TOKEN =
  'eyJhbGciOiJFUzI1NiIsImtpZCI6IjE2In0.eyJhdWQiOiJodHRwczovL2FzLmV4YW1wbGUuY29tIiwiaXNzIjoiaHR0cHM6Ly9vcmlnaW5hbC1pc3N1ZXIuZXhhbXBsZS5uZXQiLCJleHAiOjE0NDE5MTAwNjAsInNjb3BlIjoic3RhdHVzIGZlZWQiLCJzdWIiOiJ1c2VyQGV4YW1wbGUubmV0IiwibWF5X2FjdCI6eyJzdWIiOiJhZG1pbkBleGFtcGxlLm5ldCJ9fQ.4rPRSWihQbpMIgAmAoqaJojAxj-p2X8_fAtAGTXrvMxU-eEZHnXqY0_AOZgLdxw5DyLzua8H_I10MCcckF-Q_g';

/** RFC 8693 Appendix A.2.1: the delegation request's actor_token. */
const A_2_1_ACTOR_TOKEN =
  'eyJhbGciOiJFUzI1NiIsImtpZCI6IjE2In0.eyJhdWQiOiJodHRwczovL2FzLmV4YW1wbGUuY29tIiwiaXNzIjoiaHR0cHM6Ly9vcmlnaW5hbC1pc3N1ZXIuZXhhbXBsZS5uZXQiLCJleHAiOjE0NDE5MTAwNjAsInN1YiI6ImFkbWluQGV4YW1wbGUubmV0In0.7YQ-3zPfhUvzje5oqw8COCvN5uP6NsKik9CVV6cAOf4QKgM-tKfiOwcgZoUuDL2tEs6tqPlcBlMjiSzEjm3yBg';

/** RFC 8693 Appendix A.2.2: the issued token (carries act). */
const A_2_2_ISSUED_TOKEN =
  'eyJhbGciOiJFUzI1NiIsImtpZCI6IjcyIn0.eyJhdWQiOiJ1cm46ZXhhbXBsZTpjb29wZXJhdGlvbi1jb250ZXh0IiwiaXNzIjoiaHR0cHM6Ly9hcy5leGFtcGxlLmNvbSIsImV4cCI6MTQ0MTkxMzYxMCwic2NvcGUiOiJzdGF0dXMgZmVlZCIsInN1YiI6InVzZXJAZXhhbXBsZS5uZXQiLCJhY3QiOnsic3ViIjoiYWRtaW5AZXhhbXBsZS5uZXQifX0.3paKl9UySKYB5ng6_cUtQ2qlO8Rc_y7Mea7IwEXTcYbNdwG9-G1EKCFe5fW3H0hwX-MSZ49Wpcb1SiAZaOQBtw';

describe('RFC 8693 §4.1 act', () => {
  it('the act example names admin@example.com as the (only, current) actor', () => {
    expect(parseActClaim(SECTION_4_1_ACT.act)).toEqual([{ sub: 'admin@example.com', claims: {} }]);
  });

  it('the nested example: service16 is the current actor, service77 a prior one', () => {
    const actors = parseActClaim(SECTION_4_1_NESTED.act);
    expect(actors.map((actor) => actor.sub)).toEqual([
      'https://service16.example.com',
      'https://service77.example.com',
    ]);
    // Building the claim from the actors (current first) gives the RFC's structure back.
    expect(buildActClaim(actors)).toEqual(SECTION_4_1_NESTED.act);
  });
});

describe('RFC 8693 §4.4 may_act', () => {
  it('names admin@example.com as allowed to act for user@example.com, and nobody else', () => {
    const mayAct = parseMayActClaim(SECTION_4_4_MAY_ACT.may_act);
    expect(mayAct).toEqual({ sub: 'admin@example.com', claims: {} });
    if (mayAct === undefined) throw new Error('unreachable');
    expect(mayActAllows(mayAct, { sub: 'admin@example.com' })).toBe(true);
    expect(mayActAllows(mayAct, { sub: 'mallory@example.com' })).toBe(false);
  });
});

describe('RFC 8693 Appendix A.2 (delegation)', () => {
  const subject = decodeJwt(A_2_1_SUBJECT_TOKEN);
  const actor = decodeJwt(A_2_1_ACTOR_TOKEN);
  const issued = decodeJwt(A_2_2_ISSUED_TOKEN);

  it('decodes the three tokens as the appendix shows them', () => {
    expect(subject).toEqual({
      aud: 'https://as.example.com',
      iss: 'https://original-issuer.example.net',
      exp: 1441910060,
      scope: 'status feed',
      sub: 'user@example.net',
      may_act: { sub: 'admin@example.net' },
    });
    expect(actor).toEqual({
      aud: 'https://as.example.com',
      iss: 'https://original-issuer.example.net',
      exp: 1441910060,
      sub: 'admin@example.net',
    });
    expect(issued).toEqual({
      aud: 'urn:example:cooperation-context',
      iss: 'https://as.example.com',
      exp: 1441913610,
      scope: 'status feed',
      sub: 'user@example.net',
      act: { sub: 'admin@example.net' },
    });
  });

  it("the subject token's may_act allows the actor token's subject", () => {
    const mayAct = parseMayActClaim(subject['may_act']);
    if (mayAct === undefined) throw new Error('no may_act');
    expect(mayActAllows(mayAct, { sub: actor.sub as string, iss: actor.iss as string })).toBe(true);
  });

  it("the issued token's act names that actor, for the same subject", () => {
    expect(issued.sub).toBe(subject.sub);
    expect(parseActClaim(issued['act'])).toEqual([{ sub: actor.sub, claims: {} }]);
    expect(buildActClaim([{ sub: actor.sub as string }])).toEqual(issued['act']);
  });
});
