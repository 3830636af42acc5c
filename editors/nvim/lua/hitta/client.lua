-- HTTP client for the hitta server: asynchronous GET requests through curl
-- (`vim.fn.jobstart`), JSON decoding and error messages people can act on.
-- Works on Neovim 0.7 and later.

local M = {}

--- Percent-encode every byte of `s` except the unreserved characters of RFC 3986,
--- so UTF-8 text (å, ä, ö…) becomes %C3%A5… and `&`, `+`, `#`, `/`, `?` stay data.
function M.urlencode(s)
  return (tostring(s):gsub('[^A-Za-z0-9%-_%.~]', function(c)
    return string.format('%%%02X', string.byte(c))
  end))
end

--- `"a=b&c=d"` from a table, keys in a stable order, values percent-encoded.
function M.query_string(params)
  local keys = vim.tbl_keys(params)
  table.sort(keys)
  local parts = {}
  for _, k in ipairs(keys) do
    parts[#parts + 1] = M.urlencode(k) .. '=' .. M.urlencode(params[k])
  end
  return table.concat(parts, '&')
end

--- `nil` for JSON null (vim.NIL), the value otherwise.
function M.value(v)
  if v == vim.NIL then
    return nil
  end
  return v
end

local function decode(body)
  local ok, data
  if vim.json and vim.json.decode then
    ok, data = pcall(vim.json.decode, body)
  else
    ok, data = pcall(vim.fn.json_decode, body)
  end
  if ok and type(data) == 'table' then
    return data
  end
  return nil
end

M.decode = decode

--- The message for a server that does not answer at `base`.
function M.no_server_message(base)
  return string.format('no server at %s — start it with: cargo run --release -- serve', base)
end

-- curl exit codes that mean "nobody answered there".
local NO_SERVER = { [7] = true, [52] = true, [56] = true }

--- The curl argument list for `url` (exposed for the health check).
function M.curl_args(url, timeout)
  return {
    'curl',
    '-sS', -- no progress bar, but errors on stderr
    '-g', -- no globbing of [] and {}
    '--max-time',
    tostring(timeout or 10),
    '--noproxy',
    '127.0.0.1,localhost,::1',
    '-H',
    'Accept: application/json',
    '-w',
    '\n%{http_code}', -- status on a last line of its own
    url,
  }
end

--- Split curl's output (body, newline, status) into body and numeric status.
function M.split_status(out)
  local body, status = out:match('^(.*)\n(%d%d%d)%s*$')
  if not body then
    return out, nil
  end
  return body, tonumber(status)
end

--- Turn a finished request into `(err, data)`; `err` is a message for people.
--- `code` is curl's exit code, `out`/`errout` its stdout/stderr, `base` the server URL.
function M.interpret(code, out, errout, base, timeout)
  if code ~= 0 then
    if NO_SERVER[code] then
      return M.no_server_message(base)
    elseif code == 28 then
      return string.format('no answer from %s within %s s (is the server busy or hung?)', base, tostring(timeout))
    elseif code == 6 then
      return string.format('cannot resolve the host of %s (check the url setting)', base)
    elseif code == 3 then
      return string.format('bad url %s (check the url setting)', base)
    end
    local detail = vim.trim(errout or '')
    return string.format('curl failed (exit %d)%s', code, detail ~= '' and (': ' .. detail) or '')
  end
  local body, status = M.split_status(out or '')
  local data = decode(body)
  if status and status >= 400 then
    if data and type(data.error) == 'table' and data.error.message then
      return string.format('%s (%s)', data.error.message, tostring(M.value(data.error.code) or status))
    end
    return string.format('the server at %s answered HTTP %d', base, status)
  end
  if not data then
    return string.format('the server at %s did not answer JSON (is it a hitta server?)', base)
  end
  return nil, data
end

--- GET `base .. path` and call `callback(err, data)` on the main loop when done.
--- Never blocks. Returns the job id, or nil when curl could not be started (the
--- callback then runs at once with the reason).
function M.get(base, path, timeout, callback)
  local out, errout = {}, {}
  local args = M.curl_args(base .. path, timeout)
  local ok, job = pcall(vim.fn.jobstart, args, {
    stdout_buffered = true,
    stderr_buffered = true,
    on_stdout = function(_, data)
      out = data or {}
    end,
    on_stderr = function(_, data)
      errout = data or {}
    end,
    on_exit = function(_, code)
      local err, data = M.interpret(code, table.concat(out, '\n'), table.concat(errout, '\n'), base, timeout)
      callback(err, data)
    end,
  })
  if not ok or type(job) ~= 'number' or job <= 0 then
    callback('curl is needed to talk to the server, but it could not be started (is it installed and on $PATH?)')
    return nil
  end
  return job
end

return M
