import { defineContractSuite } from '@x/oauth2-testkit'
import { mountAtRoot } from './serve.js'

defineContractSuite('express', mountAtRoot)
defineContractSuite('express', mountAtRoot, { basePath: '/auth' })
