import express from 'express'
import { expressOAuth2, requireAccessToken } from '@x/oauth2-express'
import { provider } from './provider.js'

// Express 5 — @x/oauth2-express
const app = express()
app.use(expressOAuth2(provider))                  // the provider's endpoints, before any body parser
app.get('/api/me', requireAccessToken(provider), (req, res) => res.json(req.oauth2?.claims))
app.listen(3000)
