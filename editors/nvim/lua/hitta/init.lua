-- hitta.nvim: search a hitta server from Neovim (0.7 and later).
--
--   require('hitta').setup({ url = 'http://127.0.0.1:7700', limit = 10 })
--   :Hitta {query}      pick a hit with vim.ui.select, open the cleaned page
--   :HittaQf {query}    the hits into the quickfix list
--
-- See :help hitta.

local client = require('hitta.client')
local view = require('hitta.view')

local M = {}

M.ns = view.ns

local defaults = {
  -- Base URL of the server (`hitta serve` listens on 127.0.0.1:7700 by default).
  url = 'http://127.0.0.1:7700',
  -- Hits per search (the server accepts 1 … server.max_limit, 100 by default).
  limit = 10,
  -- Seconds before a request is given up.
  timeout = 10,
  -- How a page opens: 'split', 'vsplit', 'tab', 'edit' (this window) or any
  -- Ex command that makes a window, e.g. 'botright vsplit'.
  open = 'split',
  -- Open the quickfix window after :HittaQf.
  qf_open = true,
}

local user_opts = {}

--- The effective configuration: defaults < `vim.g.hitta` < `setup()`.
function M.config()
  local g = vim.g.hitta
  if type(g) ~= 'table' then
    g = {}
  end
  local cfg = vim.tbl_extend('force', {}, defaults, g, user_opts)
  cfg.url = tostring(cfg.url):gsub('/+$', '')
  return cfg
end

local function notify(msg, level)
  vim.notify('hitta: ' .. msg, level or vim.log.levels.INFO)
end

M.notify = notify

local function check(cfg)
  if type(cfg.url) ~= 'string' or not cfg.url:match('^https?://[^/]') then
    return string.format('url must look like http://127.0.0.1:7700, got %s', vim.inspect(cfg.url))
  end
  local limit = tonumber(cfg.limit)
  if not limit or limit < 1 or limit ~= math.floor(limit) then
    return string.format('limit must be a whole number of at least 1, got %s', vim.inspect(cfg.limit))
  end
  local timeout = tonumber(cfg.timeout)
  if not timeout or timeout <= 0 then
    return string.format('timeout must be a positive number of seconds, got %s', vim.inspect(cfg.timeout))
  end
  return nil
end

M.check_config = check

--- Configure the plugin. Every key is optional; see `:help hitta-config`.
function M.setup(opts)
  opts = opts or {}
  if type(opts) ~= 'table' then
    notify('setup() takes a table, e.g. { url = "http://127.0.0.1:7700" }', vim.log.levels.ERROR)
    return
  end
  for k in pairs(opts) do
    if defaults[k] == nil then
      notify(string.format('unknown setting %q (known: %s)', k, table.concat(vim.tbl_keys(defaults), ', ')), vim.log.levels.WARN)
    end
  end
  user_opts = vim.tbl_extend('force', {}, opts)
  local err = check(M.config())
  if err then
    notify(err, vim.log.levels.ERROR)
  end
end

-- The last query each document id came up for, so a page opened from the quickfix
-- list (or by :edit hitta://ID) still gets its matches marked.
local last_query = {}

local function remember(query, hits)
  for _, hit in ipairs(hits) do
    if type(hit.id) == 'string' then
      last_query[hit.id] = query
    end
  end
end

--- Search asynchronously. `opts`: `limit`, `offset`, `url`, `timeout` (defaults from
--- the config). `callback(err, response)` runs on the main loop; `err` is a message,
--- `response` the server's answer (`query`, `total`, `hits`…). Returns the job id.
function M.search(query, opts, callback)
  if type(opts) == 'function' then
    callback, opts = opts, {}
  end
  opts = opts or {}
  local cfg = vim.tbl_extend('force', M.config(), opts)
  local err = check(cfg)
  if err then
    callback(err)
    return nil
  end
  query = vim.trim(query or '')
  if query == '' then
    callback('nothing to search for: give a query, or put the cursor on a word')
    return nil
  end
  local params = { q = query, limit = tostring(math.floor(tonumber(cfg.limit))) }
  if opts.offset then
    params.offset = tostring(opts.offset)
  end
  local base = cfg.url:gsub('/+$', '')
  return client.get(base, '/search?' .. client.query_string(params), cfg.timeout, function(e, data)
    if e then
      return callback(e)
    end
    if type(data.hits) ~= 'table' then
      return callback('the server answered without "hits"; is it a hitta server?')
    end
    remember(query, data.hits)
    callback(nil, data)
  end)
end

--- Fetch the cleaned page `id` (with the byte ranges `query` matches, if given).
--- `callback(err, document)`.
function M.document(id, query, opts, callback)
  if type(query) == 'function' then
    callback, query, opts = query, nil, {}
  elseif type(opts) == 'function' then
    callback, opts = opts, {}
  end
  local cfg = vim.tbl_extend('force', M.config(), opts or {})
  local err = check(cfg)
  if err then
    callback(err)
    return nil
  end
  local path = '/documents/' .. client.urlencode(id)
  if query and vim.trim(query) ~= '' then
    path = path .. '?' .. client.query_string({ q = query })
  end
  return client.get(cfg.url:gsub('/+$', ''), path, cfg.timeout, callback)
end

local PREFIX = 'hitta://'

--- The buffer name of page `id`.
function M.bufname(id)
  return PREFIX .. id
end

local function find_buffer(name)
  for _, b in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_valid(b) and vim.api.nvim_buf_get_name(b) == name then
      return b
    end
  end
  return nil
end

local function jump(buf, forward)
  local row = vim.api.nvim_win_get_cursor(0)[1] - 1
  local col = vim.api.nvim_win_get_cursor(0)[2]
  local marks = vim.api.nvim_buf_get_extmarks(buf, view.ns, 0, -1, {})
  if #marks == 0 then
    return notify('no marked matches on this page', vim.log.levels.WARN)
  end
  local target
  if forward then
    for _, m in ipairs(marks) do
      if m[2] > row or (m[2] == row and m[3] > col) then
        target = m
        break
      end
    end
    target = target or marks[1]
  else
    for i = #marks, 1, -1 do
      local m = marks[i]
      if m[2] < row or (m[2] == row and m[3] < col) then
        target = m
        break
      end
    end
    target = target or marks[#marks]
  end
  vim.api.nvim_win_set_cursor(0, { target[2] + 1, target[3] })
end

M._jump = jump

-- Make `buf` a read-only scratch page buffer.
local function prepare(buf, id, query)
  local o = function(k, v)
    vim.bo[buf][k] = v
  end
  o('buftype', 'nofile')
  o('bufhidden', 'wipe')
  o('swapfile', false)
  o('buflisted', false)
  vim.api.nvim_buf_set_var(buf, 'hitta_id', id)
  vim.api.nvim_buf_set_var(buf, 'hitta_query', query or '')
  vim.api.nvim_buf_set_var(buf, 'hitta_loaded', false)
  o('modifiable', true)
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, { 'hitta: loading ' .. id .. ' …' })
  o('modifiable', false)
  o('modified', false)
  o('filetype', 'hitta')
  local map = function(lhs, rhs)
    vim.api.nvim_buf_set_keymap(buf, 'n', lhs, '', { noremap = true, silent = true, callback = rhs, nowait = true })
  end
  map('q', function()
    vim.cmd('bwipeout ' .. buf)
  end)
  map(']]', function()
    jump(buf, true)
  end)
  map('[[', function()
    jump(buf, false)
  end)
end

--- Load page `id` into `buf` (asynchronously). `callback(err, buf, positions)` when
--- done, if given.
function M.load(buf, id, query, callback)
  prepare(buf, id, query)
  M.document(id, query, function(err, doc)
    if not vim.api.nvim_buf_is_valid(buf) then
      return callback and callback('the page buffer was closed before the page arrived')
    end
    if err then
      vim.bo[buf].modifiable = true
      vim.api.nvim_buf_set_lines(buf, 0, -1, false, { 'hitta: ' .. err })
      vim.bo[buf].modifiable = false
      vim.bo[buf].modified = false
      notify(err, vim.log.levels.ERROR)
      return callback and callback(err, buf)
    end
    local positions = view.render(buf, doc)
    vim.api.nvim_buf_set_var(buf, 'hitta_loaded', true)
    -- Put the cursor on the first match in the windows that show the page and whose
    -- cursor is still at the top.
    if positions[1] then
      for _, win in ipairs(vim.api.nvim_list_wins()) do
        if vim.api.nvim_win_get_buf(win) == buf and vim.api.nvim_win_get_cursor(win)[1] == 1 then
          vim.api.nvim_win_set_cursor(win, { positions[1][1] + 1, positions[1][2] })
        end
      end
    end
    if callback then
      callback(nil, buf, positions)
    end
  end)
  return buf
end

--- Open page `hit` (a hit from a search, or a document id) in a read-only buffer,
--- marking the words `query` matches. `opts.open` overrides the config; `opts.callback`
--- is called as `callback(err, buf, positions)` once the page is shown. Returns the buffer.
function M.open(hit, query, opts)
  opts = opts or {}
  local id = type(hit) == 'table' and hit.id or hit
  if type(id) ~= 'string' or id == '' then
    notify('open() needs a hit or a document id', vim.log.levels.ERROR)
    return nil
  end
  local name = M.bufname(id)
  local buf = find_buffer(name)
  local win
  if buf then
    for _, w in ipairs(vim.api.nvim_list_wins()) do
      if vim.api.nvim_win_get_buf(w) == buf then
        win = w
        break
      end
    end
  else
    buf = vim.api.nvim_create_buf(false, true)
    vim.api.nvim_buf_set_name(buf, name)
  end
  if win then
    vim.api.nvim_set_current_win(win)
  else
    local how = opts.open or M.config().open
    if how == 'tab' then
      how = 'tab split'
    end
    if how ~= 'edit' and how ~= 'current' and how ~= '' then
      vim.cmd(how)
    end
    vim.api.nvim_win_set_buf(0, buf)
  end
  vim.api.nvim_win_set_cursor(0, { 1, 0 })
  return M.load(buf, id, query, opts.callback)
end

-- `:edit hitta://ID` and quickfix jumps land here.
function M._read_cmd(buf, name)
  local id = name:sub(#PREFIX + 1)
  if id == '' then
    return notify('no document id in ' .. name, vim.log.levels.ERROR)
  end
  M.load(buf, id, last_query[id])
end

--- The text of the last visual selection if it covers lines `line1`…`line2`, else
--- those whole lines, joined by spaces.
function M.selection(line1, line2)
  local s, e = vim.fn.getpos("'<"), vim.fn.getpos("'>")
  local lines
  if s[2] == line1 and e[2] == line2 and s[2] > 0 then
    lines = vim.api.nvim_buf_get_lines(0, s[2] - 1, e[2], false)
    local mode = vim.fn.visualmode()
    if mode == 'v' and #lines > 0 then
      -- '> is the first byte of the last character: include all of its bytes.
      local last = lines[#lines]
      local ec = math.min(e[3], #last)
      local b = last:byte(ec)
      if b then
        local extra = b >= 0xF0 and 3 or b >= 0xE0 and 2 or b >= 0xC0 and 1 or 0
        ec = math.min(ec + extra, #last)
      end
      lines[#lines] = last:sub(1, ec)
      lines[1] = lines[1]:sub(s[3])
    elseif mode == '\22' then
      local c1, c2 = math.min(s[3], e[3]), math.max(s[3], e[3])
      for i, l in ipairs(lines) do
        lines[i] = l:sub(c1, c2)
      end
    end
  else
    lines = vim.api.nvim_buf_get_lines(0, line1 - 1, line2, false)
  end
  return vim.trim(table.concat(lines, ' '):gsub('%s+', ' '))
end

-- The query of a command: its argument, else the selection (with a range), else the
-- word under the cursor.
local function command_query(cmd)
  local q = vim.trim(cmd.args or '')
  if q ~= '' then
    return q
  end
  if cmd.range and cmd.range > 0 then
    return M.selection(cmd.line1, cmd.line2)
  end
  return vim.fn.expand('<cword>')
end

M._command_query = command_query

-- Only the newest search of the UI commands is shown.
local generation = 0

--- Search for `query` and offer the hits in `vim.ui.select`; the chosen one opens.
function M.pick(query)
  generation = generation + 1
  local mine = generation
  return M.search(query, {}, function(err, resp)
    if mine ~= generation then
      return
    end
    if err then
      return notify(err, vim.log.levels.ERROR)
    end
    if #resp.hits == 0 then
      return notify(string.format('no hits for %q', query), vim.log.levels.WARN)
    end
    vim.ui.select(resp.hits, {
      prompt = string.format('hitta: %s (%d of %s%d)', query, #resp.hits,
        resp.total_relation == 'gte' and 'over ' or '', tonumber(resp.total) or #resp.hits),
      format_item = view.hit_label,
      kind = 'hitta',
    }, function(hit)
      if hit then
        M.open(hit, query)
      end
    end)
  end)
end

--- The quickfix items for the hits of a search.
function M.qf_items(resp)
  local items = {}
  for _, hit in ipairs(resp.hits) do
    local title = view.one_line(hit.title)
    local snippet = view.snippet_line(hit)
    items[#items + 1] = {
      filename = M.bufname(hit.id),
      module = view.one_line(hit.path),
      lnum = 1,
      text = snippet ~= '' and (title .. ' │ ' .. snippet) or title,
      user_data = { id = hit.id, path = hit.path, score = hit.score },
    }
  end
  return items
end

--- Search for `query` and put the hits in the quickfix list. `callback(err, resp)`.
function M.quickfix(query, callback)
  generation = generation + 1
  local mine = generation
  return M.search(query, {}, function(err, resp)
    if mine ~= generation then
      return
    end
    if err then
      notify(err, vim.log.levels.ERROR)
      return callback and callback(err)
    end
    vim.fn.setqflist({}, ' ', { title = 'hitta: ' .. query, items = M.qf_items(resp) })
    if #resp.hits == 0 then
      notify(string.format('no hits for %q', query), vim.log.levels.WARN)
    elseif M.config().qf_open then
      vim.cmd('copen')
    end
    if callback then
      callback(nil, resp)
    end
  end)
end

--- `:Hitta` (`which` = 'pick') and `:HittaQf` (`which` = 'qf').
function M.command(which, cmd)
  local q = command_query(cmd)
  if q == '' then
    return notify('nothing to search for: give a query, select text or put the cursor on a word', vim.log.levels.WARN)
  end
  if which == 'qf' then
    return M.quickfix(q)
  end
  return M.pick(q)
end

return M
