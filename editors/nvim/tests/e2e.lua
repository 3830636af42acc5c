-- End-to-end test of hitta.nvim against a running server. tests/nvim.rs runs it as
--
--   HITTA_TEST_URL=http://127.0.0.1:PORT HITTA_TEST_CLOSED_URL=http://127.0.0.1:PORT2 \
--   nvim --headless -u NONE -i NONE --cmd 'set rtp+=editors/nvim' -c 'luafile editors/nvim/tests/e2e.lua'
--
-- over an index of the seed pages in import/ (plus the page HITTA_TEST_TRICKY_ID, if
-- set). Exits 0 when every check passes; any failure prints why and exits 1.

local url = os.getenv('HITTA_TEST_URL')
local closed_url = os.getenv('HITTA_TEST_CLOSED_URL')
local tricky_id = os.getenv('HITTA_TEST_TRICKY_ID')
local WAIT = 20000

local function log(...)
  io.stdout:write(table.concat(vim.tbl_map(tostring, { ... }), ' '), '\n')
end

local function check(cond, msg, ...)
  if not cond then
    local extra = select('#', ...) > 0 and (': ' .. vim.inspect({ ... })) or ''
    error('check failed: ' .. msg .. extra, 2)
  end
end

local function eq(got, want, msg)
  if got ~= want then
    error(string.format('check failed: %s: got %s, want %s', msg, vim.inspect(got), vim.inspect(want)), 2)
  end
end

-- Run `start(done)`; wait until `done(...)` is called and return its arguments.
local function await(what, start)
  local result
  start(function(...)
    result = { n = select('#', ...), ... }
  end)
  local ok = vim.wait(WAIT, function()
    return result ~= nil
  end, 20)
  if not ok then
    error('timed out waiting for ' .. what, 2)
  end
  return unpack(result, 1, result.n)
end

-- Text of a highlight extmark [id, row, col, {end_row, end_col}] in `buf`.
local function mark_text(buf, m)
  local d = m[4]
  eq(d.end_row, m[2], 'a match highlight stays on one line')
  local line = vim.api.nvim_buf_get_lines(buf, m[2], m[2] + 1, false)[1]
  return line:sub(m[3] + 1, d.end_col)
end

-- Byte range [s, e) of `text`.
local function bytes(text, r)
  return text:sub(r[1] + 1, r[2])
end

local function lines_of(buf)
  return vim.api.nvim_buf_get_lines(buf, 0, -1, false)
end

local function contains(list, pred)
  for i, v in ipairs(list) do
    if pred(v) then
      return i, v
    end
  end
  return nil
end

local KARLSKOGA = '003_33fe084e53ab7db6.txt'
local KARLSKOGA_TITLE = 'Många ungdomar tillbaka till studier tack vare projektet #jagmed'
local NARSAM = '002_03e3681fb23cbdfb.txt'

local function main()
  check(url and url:match('^http://'), 'HITTA_TEST_URL is set', url)
  check(closed_url and closed_url:match('^http://'), 'HITTA_TEST_CLOSED_URL is set', closed_url)

  -- -u NONE loads no plugins: load ours as a plugin manager would.
  vim.cmd('runtime! plugin/hitta.lua')
  eq(vim.fn.exists(':Hitta'), 2, ':Hitta is defined')
  eq(vim.fn.exists(':HittaQf'), 2, ':HittaQf is defined')

  local hitta = require('hitta')
  local client = require('hitta.client')

  -- Capture notifications instead of printing them.
  local notes = {}
  vim.notify = function(msg, level)
    notes[#notes + 1] = { msg = msg, level = level }
    log('notify', level, msg)
  end

  -- URL encoding of UTF-8 and reserved characters.
  eq(client.urlencode('skolfrånvaro'), 'skolfr%C3%A5nvaro', 'å is percent-encoded as UTF-8 bytes')
  eq(client.urlencode('a b&c+d/é#?'), 'a%20b%26c%2Bd%2F%C3%A9%23%3F', 'reserved characters are encoded')

  -- vim.g.hitta is read, setup() wins over it.
  vim.g.hitta = { url = closed_url, limit = 3 }
  eq(hitta.config().url, closed_url, 'vim.g.hitta.url is used')
  eq(hitta.config().limit, 3, 'vim.g.hitta.limit is used')
  hitta.setup({ url = url .. '/', limit = 10 })
  eq(hitta.config().url, url, 'setup() url wins (trailing slash dropped)')

  -- 1. Karlskoga: the Karlskoga page first, with the word marked in its snippet.
  local err, resp = await('search Karlskoga', function(done)
    hitta.search('Karlskoga', done)
  end)
  check(err == nil, 'search Karlskoga succeeds', err)
  check(#resp.hits > 0, 'Karlskoga has hits', resp)
  eq(resp.hits[1].path, KARLSKOGA, 'first hit for Karlskoga')
  eq(resp.hits[1].title, KARLSKOGA_TITLE, 'title of the Karlskoga hit')
  check(#resp.hits[1].snippet.highlights > 0, 'the snippet marks a word', resp.hits[1].snippet)
  eq(bytes(resp.hits[1].snippet.text, resp.hits[1].snippet.highlights[1]), 'Karlskoga', 'snippet highlight bytes')
  local karlskoga_hit = resp.hits[1]

  -- 2. skolfrånvaro (å) through the same path; the limit is sent.
  err, resp = await('search skolfrånvaro', function(done)
    hitta.search('skolfrånvaro', { limit = 2 }, done)
  end)
  check(err == nil, 'search skolfrånvaro succeeds', err)
  eq(resp.query, 'skolfrånvaro', 'the server got the query intact')
  check(#resp.hits > 0 and #resp.hits <= 2, 'skolfrånvaro has 1–2 hits (limit 2)', #resp.hits)
  eq(resp.hits[1].path, NARSAM, 'first hit for skolfrånvaro')
  local h1 = resp.hits[1].snippet
  check(#h1.highlights > 0, 'skolfrånvaro snippet marks a word', h1)
  eq(bytes(h1.text, h1.highlights[1]):sub(2), 'kolfrånvaro', 'byte range covers skolfrånvaro')

  -- 3. Open a hit: header, read-only scratch buffer, matches highlighted.
  local buf, positions
  err, buf, positions = await('open the Karlskoga page', function(done)
    hitta.open(karlskoga_hit, 'Karlskoga', { callback = done })
  end)
  check(err == nil, 'the page opens', err)
  eq(vim.api.nvim_get_current_buf(), buf, 'the page is the current buffer')
  local l = lines_of(buf)
  eq(l[1], 'Title: ' .. KARLSKOGA_TITLE, 'line 1')
  eq(l[2], 'Path: ' .. KARLSKOGA, 'line 2')
  eq(l[3], 'Language: sv', 'line 3')
  eq(l[4], 'Published: 2018-12-17', 'line 4')
  check(contains(l, function(x)
    return x == 'Uppdaterad: 2018-12-17'
  end), 'metadata line Uppdaterad', l)
  local blank = contains(l, function(x)
    return x == ''
  end)
  check(blank and blank > 4, 'a blank line after the header', l)
  eq(l[blank + 1], KARLSKOGA_TITLE, 'the text starts after the blank line')
  eq(vim.api.nvim_buf_get_name(buf), 'hitta://' .. KARLSKOGA, 'buffer name')
  eq(vim.bo[buf].buftype, 'nofile', 'buftype')
  eq(vim.bo[buf].bufhidden, 'wipe', 'bufhidden')
  eq(vim.bo[buf].modifiable, false, 'modifiable')
  eq(vim.bo[buf].filetype, 'hitta', 'filetype')
  check(not pcall(vim.api.nvim_buf_set_lines, buf, 0, 1, false, { 'x' }), 'the page cannot be changed')
  local marks = vim.api.nvim_buf_get_extmarks(buf, hitta.ns, 0, -1, { details = true })
  check(#marks >= 2, 'Karlskoga is marked twice on its page', marks)
  eq(#marks, #positions, 'one extmark per highlight')
  for _, m in ipairs(marks) do
    check(m[2] > blank - 1, 'matches are in the text, not the header', m)
    eq(mark_text(buf, m), 'Karlskoga', 'highlighted text')
    eq(m[4].hl_group, 'HittaMatch', 'highlight group')
  end
  -- the cursor went to the first match; ]] goes to the next one
  local cur = vim.api.nvim_win_get_cursor(0)
  eq(cur[1] - 1, marks[1][2], 'cursor on the first match (row)')
  hitta._jump(buf, true)
  cur = vim.api.nvim_win_get_cursor(0)
  eq(cur[1] - 1, marks[2][2], ']] jumps to the second match (row)')
  eq(cur[2], marks[2][3], ']] jumps to the second match (col)')
  vim.cmd('bwipeout ' .. buf)

  -- 4. :Hitta {query} through vim.ui.select, choosing the first entry.
  local picked
  vim.ui.select = function(items, opts, on_choice)
    picked = { items = items, opts = opts, labels = vim.tbl_map(opts.format_item, items) }
    log('select', opts.prompt, #items, 'items; first:', picked.labels[1])
    on_choice(items[1], 1)
  end
  vim.cmd('Hitta skolfrånvaro')
  check(vim.wait(WAIT, function()
    return picked ~= nil
  end, 20), ':Hitta skolfrånvaro offers hits')
  eq(picked.items[1].path, NARSAM, ':Hitta first item')
  local label = picked.labels[1]
  check(label:find(picked.items[1].title, 1, true), 'label has the title', label)
  check(label:find(NARSAM, 1, true), 'label has the path', label)
  check(label:find('skolfrånvaro', 1, true), 'label has the snippet', label)
  check(not label:find('\n', 1, true), 'label is one line', label)
  check(picked.opts.prompt:find('skolfrånvaro', 1, true), 'prompt names the query', picked.opts.prompt)
  check(vim.wait(WAIT, function()
    return vim.b.hitta_loaded == true
  end, 20), 'choosing a hit opens its page')
  buf = vim.api.nvim_get_current_buf()
  eq(vim.api.nvim_buf_get_name(buf), 'hitta://' .. NARSAM, 'the chosen page')
  l = lines_of(buf)
  check(l[1]:find('^Title: 24%-044%-S01'), 'NÄR-SAM title line', l[1])
  check(contains(l, function(x)
    return x == 'Diarienummer: 24-044-S01'
  end), 'metadata Diarienummer', l)
  check(contains(l, function(x)
    return x == 'Projektägare: HÄRNÖSANDS KOMMUN'
  end), 'metadata Projektägare', l)
  marks = vim.api.nvim_buf_get_extmarks(buf, hitta.ns, 0, -1, { details = true })
  check(#marks >= 2, 'skolfrånvaro is marked on its page', marks)
  for _, m in ipairs(marks) do
    eq(mark_text(buf, m):sub(2), 'kolfrånvaro', 'highlighted text (UTF-8 byte columns)')
  end
  vim.cmd('bwipeout ' .. buf)

  -- 5. :Hitta without an argument: the word under the cursor.
  vim.cmd('enew')
  vim.api.nvim_buf_set_lines(0, 0, -1, false, { 'sök på Karlskoga här', 'Om skolfrånvaro på' })
  vim.api.nvim_win_set_cursor(0, { 1, 10 })
  picked = nil
  vim.ui.select = function(items, opts)
    picked = { items = items, opts = opts }
  end
  vim.cmd('Hitta')
  check(vim.wait(WAIT, function()
    return picked ~= nil
  end, 20), ':Hitta (word under cursor) offers hits')
  check(picked.opts.prompt:find('Karlskoga', 1, true), 'the word under the cursor was searched', picked.opts.prompt)
  eq(picked.items[1].path, KARLSKOGA, 'first hit for the word under the cursor')

  -- 6. :'<,'>Hitta: the selected text (ending in a multibyte character).
  vim.api.nvim_win_set_cursor(0, { 2, 0 })
  vim.cmd('normal! wvee\27')
  eq(hitta.selection(2, 2), 'skolfrånvaro på', 'the charwise selection, å included')
  picked = nil
  vim.cmd("'<,'>Hitta")
  check(vim.wait(WAIT, function()
    return picked ~= nil
  end, 20), ":'<,'>Hitta offers hits")
  check(picked.opts.prompt:find('skolfrånvaro på', 1, true), 'the selection was searched', picked.opts.prompt)
  eq(picked.items[1].path, NARSAM, 'first hit for the selection')
  vim.cmd('normal! Vj\27')
  eq(hitta.selection(1, 2), 'sök på Karlskoga här Om skolfrånvaro på', 'a linewise selection')

  -- 7. A document id with spaces, å/ä/ö, '/', '&' and '#'.
  if tricky_id and tricky_id ~= '' then
    err, buf = await('open ' .. tricky_id, function(done)
      hitta.open(tricky_id, 'skolfrånvaro', { callback = done })
    end)
    check(err == nil, 'the page with the odd id opens', err)
    eq(lines_of(buf)[2], 'Path: ' .. tricky_id, 'its path line')
    check(#vim.api.nvim_buf_get_extmarks(buf, hitta.ns, 0, -1, {}) > 0, 'its matches are marked')
    vim.cmd('bwipeout ' .. buf)
  end

  -- 8. :HittaQf fills the quickfix list; jumping to an entry loads the page.
  err, resp = await('HittaQf Karlskoga', function(done)
    hitta.quickfix('Karlskoga', done)
  end)
  check(err == nil, 'quickfix search succeeds', err)
  local qf = vim.fn.getqflist({ items = 1, title = 1 })
  eq(#qf.items, #resp.hits, 'one quickfix entry per hit')
  check(#qf.items > 0, 'the quickfix list is not empty')
  eq(vim.api.nvim_buf_get_name(qf.items[1].bufnr), 'hitta://' .. KARLSKOGA, 'first quickfix entry')
  check(qf.items[1].text:find(KARLSKOGA_TITLE, 1, true), 'the entry has the title', qf.items[1].text)
  check(qf.items[1].text:find('Karlskoga och Degerfors', 1, true), 'the entry has the snippet', qf.items[1].text)
  check(qf.title:find('Karlskoga', 1, true), 'the list title names the query', qf.title)
  vim.cmd('cfirst')
  check(vim.wait(WAIT, function()
    return vim.b.hitta_loaded == true
  end, 20), 'jumping to the entry loads the page')
  eq(vim.api.nvim_buf_get_name(0), 'hitta://' .. KARLSKOGA, 'the page of the entry')
  eq(lines_of(0)[1], 'Title: ' .. KARLSKOGA_TITLE, 'its title line')
  eq(vim.bo.modifiable, false, 'read-only')
  check(#vim.api.nvim_buf_get_extmarks(0, hitta.ns, 0, -1, {}) >= 2, 'the query of the list is marked')
  vim.cmd('cclose')
  vim.cmd('bwipeout')

  -- 9. Server errors are shown with their message.
  err = await('limit too large', function(done)
    hitta.search('skola', { limit = 100000 }, done)
  end)
  check(err and err:find('limit must be between', 1, true), 'the server error message', err)
  err = await('missing document', function(done)
    hitta.document('no-such-page.txt', nil, done)
  end)
  check(err and err:find('no document with id', 1, true), 'the 404 message', err)

  -- 10. No server: a clear message, through the API and the command.
  err = await('search on a closed port', function(done)
    hitta.search('skola', { url = closed_url }, done)
  end)
  check(err and err:find('no server', 1, true), 'a closed port says no server', err)
  check(err:find(closed_url, 1, true), 'the message names the url', err)
  hitta.setup({ url = closed_url })
  notes = {}
  vim.cmd('Hitta skola')
  check(vim.wait(WAIT, function()
    return #notes > 0
  end, 20), ':Hitta on a closed port notifies')
  check(notes[1].msg:find('no server', 1, true), 'the notification says no server', notes)
  eq(notes[1].level, vim.log.levels.ERROR, 'as an error')

  -- 11. :checkhealth hitta, down and up.
  vim.cmd('checkhealth hitta')
  local report = table.concat(lines_of(0), '\n')
  log(report)
  check(report:find('ERROR', 1, true) and report:find('no server', 1, true), 'checkhealth reports the server down', report)
  vim.cmd('tabclose')
  hitta.setup({ url = url })
  vim.cmd('checkhealth hitta')
  report = table.concat(lines_of(0), '\n')
  log(report)
  check(report:find('OK', 1, true), 'checkhealth says OK', report)
  check(report:find('answers /health: status ok, version 0.1.0', 1, true), 'checkhealth names the server version', report)
  check(not report:find('ERROR', 1, true), 'no error when the server is up', report)
  check(report:find('6 documents', 1, true) or report:find('5 documents', 1, true), 'document count', report)
end

local ok, e = xpcall(main, debug.traceback)
if ok then
  log('hitta.nvim e2e: all checks passed')
  io.stdout:flush()
  vim.cmd('qall!')
else
  io.stderr:write('hitta.nvim e2e FAILED: ' .. tostring(e) .. '\n')
  io.stderr:flush()
  vim.cmd('cquit 1')
end
