// Hello world on Express 5: express.urlencoded(), then res.json().
import express from 'express'
import { ready } from './lib/serve.mjs'

const app = express()
app.post('/oauth2/token', express.urlencoded({ extended: false }), (req, res) => {
  res.json({ ok: true, grant_type: req.body.grant_type })
})
await ready(app.listen(0, '127.0.0.1'))
