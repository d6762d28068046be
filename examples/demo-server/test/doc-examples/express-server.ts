// server.ts
import express from 'express'
import { expressOAuth2, requireAccessToken } from '@x/oauth2-express'
import { provider } from './provider.js'

const app = express()
app.use(expressOAuth2(provider))     // every endpoint of the provider; first, it reads raw bodies
app.use(express.json())               // your body parsers after it

app.get('/api/me', requireAccessToken(provider), (req, res) => {
  res.json(req.oauth2?.claims)        // any access token the provider issued: a user's or a service's
})

app.listen(3000, () => console.log(`${provider.issuer} is ready`))
