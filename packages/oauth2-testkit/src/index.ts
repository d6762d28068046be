/**
 * `@x/oauth2-testkit` (private): what the adapter packages share in their tests. A test provider on
 * a frozen clock, and the contract suite: one list of requests every adapter must answer exactly
 * like `provider.handle()` does.
 *
 * @module
 */

export { API_CLIENT, basicAuth, CONTRACT_CLIENT, createTestProvider, TEST_ORIGIN, TEST_START } from './provider.js'
export type { TestClock, TestProvider, TestProviderOptions } from './provider.js'
export { contractCases, DEFAULT_BODY_LIMIT, toContractRequest, type ContractCase, type ContractRequest } from './cases.js'
export { CONTRACT_BASIC, CONTRACT_GRANT, FORM, postStreamedTokenRequest } from './requests.js'
export {
  defineContractSuite,
  PASS_THROUGH_BODY,
  RELEVANT_HEADERS,
  responseTarget,
  toOAuth2Request,
  toWireResponse,
  type ContractSuiteOptions,
  type ContractTarget,
  type MountAdapter,
  type WireResponse,
} from './contract.js'
export { defineAdapterFuzzSuite, wireRequestArbitrary, type AdapterFuzzOptions } from './fuzz-adapter.js'
