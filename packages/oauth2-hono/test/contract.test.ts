import { defineContractSuite } from '@x/oauth2-testkit'
import { mountAtRoot } from './request-target.js'

defineContractSuite('hono', mountAtRoot)
defineContractSuite('hono', mountAtRoot, { basePath: '/auth' })
