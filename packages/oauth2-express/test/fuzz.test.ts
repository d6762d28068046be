import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { defineAdapterFuzzSuite } from '@x/oauth2-testkit'
import { mountAtRoot } from './serve.js'

// Node's gc without --expose-gc: the flag is set at run time and a new context sees it.
setFlagsFromString('--expose-gc')
const collectGarbage = runInNewContext('gc') as () => void

defineAdapterFuzzSuite('express', mountAtRoot, { collectGarbage })
defineAdapterFuzzSuite('express', mountAtRoot, { basePath: '/auth', runs: 150, longRun: 500, collectGarbage })
