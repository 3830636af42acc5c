-- :checkhealth hitta — curl, the configuration and whether the server answers.

local M = {}

-- The reporting functions: vim.health.start/ok/… (0.9+), vim.health.report_* (0.8),
-- require('health').report_* (0.7).
local function reporter()
  local h = vim.health
  if h and h.start then
    return { start = h.start, ok = h.ok, warn = h.warn, error = h.error, info = h.info }
  end
  if not (h and h.report_start) then
    h = require('health')
  end
  return {
    start = h.report_start,
    ok = h.report_ok,
    warn = h.report_warn,
    error = h.report_error,
    info = h.report_info,
  }
end

-- GET `url` synchronously (a health check may wait a little), returning (err, data).
local function get(client, base, path, timeout)
  local out = vim.fn.system(client.curl_args(base .. path, timeout))
  local code = vim.v.shell_error
  return client.interpret(code, out, code ~= 0 and out or '', base, timeout)
end

function M.check()
  local r = reporter()
  local hitta = require('hitta')
  local client = require('hitta.client')

  r.start('hitta')
  if vim.fn.has('nvim-0.7') == 1 then
    r.ok('Neovim ' .. tostring(vim.version().major) .. '.' .. tostring(vim.version().minor) .. '.' .. tostring(vim.version().patch))
  else
    r.error('Neovim 0.7 or later is needed')
  end

  local curl_ok = vim.fn.executable('curl') == 1
  if curl_ok then
    local v = vim.fn.system({ 'curl', '--version' })
    r.ok('curl found: ' .. (vim.split(v, '\n')[1] or 'curl'))
  else
    r.error('curl is not installed or not on $PATH; hitta talks to its server through curl', {
      'install it, e.g. apt-get install curl',
    })
  end

  local cfg = hitta.config()
  local bad = hitta.check_config(cfg)
  if bad then
    r.error('configuration: ' .. bad, { 'see :help hitta-config' })
    return
  end
  r.ok(string.format('configuration: url = %s, limit = %s, timeout = %s s', cfg.url, tostring(cfg.limit), tostring(cfg.timeout)))

  if not curl_ok then
    r.error('cannot ask the server at ' .. cfg.url .. ' without curl')
    return
  end
  local timeout = math.min(tonumber(cfg.timeout) or 3, 3)
  local err, health = get(client, cfg.url, '/health', timeout)
  if err then
    r.error('server: ' .. err, {
      'start it with: cargo run --release -- serve',
      'or point the plugin at it: require("hitta").setup({ url = "http://HOST:PORT" })',
    })
    return
  end
  if health.status ~= 'ok' then
    r.error(string.format('server at %s answers /health with status %s', cfg.url, vim.inspect(client.value(health.status))))
    return
  end
  r.ok(string.format('server at %s answers /health: status ok, version %s', cfg.url, tostring(client.value(health.version) or '?')))
  local serr, stats = get(client, cfg.url, '/stats', timeout)
  if serr then
    r.warn('server: /stats failed: ' .. serr)
  elseif tonumber(stats.documents) == 0 then
    r.warn('the index is empty: import pages with: cargo run --release -- import')
  else
    r.info(string.format('%s documents in the index', tostring(client.value(stats.documents))))
  end
end

return M
