-- Rendering: a cleaned page into a read-only scratch buffer (header + text, matched
-- words highlighted at the byte ranges the server returns) and one-line hit labels.

local client = require('hitta.client')

local M = {}

--- Namespace of the matched-word highlights in page buffers.
M.ns = vim.api.nvim_create_namespace('hitta')
--- Namespace of the header highlights (title, keys).
M.header_ns = vim.api.nvim_create_namespace('hitta_header')

--- Define the highlight groups (as defaults: a colour scheme or the user wins).
function M.define_highlights()
  vim.cmd([[
    highlight default link HittaMatch Search
    highlight default link HittaTitle Title
    highlight default link HittaKey Identifier
    highlight default link HittaSeparator Comment
  ]])
end

--- One line: newlines and runs of blanks become single spaces.
function M.one_line(s)
  s = client.value(s)
  if s == nil then
    return ''
  end
  return vim.trim((tostring(s):gsub('%s+', ' ')))
end

--- The snippet of a hit on one line, without the title when it starts with it (a
--- page's text begins with its heading, so snippets often repeat it).
function M.snippet_line(hit)
  local snippet = ''
  if type(hit.snippet) == 'table' then
    snippet = M.one_line(hit.snippet.text)
  end
  local title = M.one_line(hit.title)
  if title ~= '' and #snippet > #title and snippet:sub(1, #title) == title then
    snippet = vim.trim(snippet:sub(#title + 1))
  end
  return snippet
end

--- The label of a hit in a picker or the quickfix list: title, path and snippet.
function M.hit_label(hit)
  local title = M.one_line(hit.title)
  if title == '' then
    title = '(no title)'
  end
  local snippet = M.snippet_line(hit)
  local label = string.format('%s — %s', title, M.one_line(hit.path))
  if snippet ~= '' then
    label = label .. ' │ ' .. snippet
  end
  return label
end

--- Header lines of a page: title, path, language, dates, then its metadata as
--- `Key: value` lines in key order. Returns the lines and the key lengths (for
--- highlighting `Key:`), 0 for the title line.
function M.header(doc)
  local lines, keys = {}, {}
  local function add(key, value)
    value = M.one_line(value)
    if value == '' then
      return
    end
    lines[#lines + 1] = key .. ': ' .. value
    keys[#keys + 1] = #key + 1
  end
  add('Title', client.value(doc.title) or '(no title)')
  add('Path', doc.path)
  add('Language', doc.language)
  add('Published', doc.published)
  add('Updated', doc.updated)
  local meta = client.value(doc.metadata)
  if type(meta) == 'table' then
    local names = vim.tbl_keys(meta)
    table.sort(names)
    for _, name in ipairs(names) do
      add(M.one_line(name), meta[name])
    end
  end
  return lines, keys
end

--- Split `text` into lines and return them with the byte offset (0-based) where
--- each starts.
function M.split_lines(text)
  local lines, starts = {}, {}
  local pos = 1
  while true do
    local nl = text:find('\n', pos, true)
    starts[#starts + 1] = pos - 1
    if not nl then
      lines[#lines + 1] = text:sub(pos)
      break
    end
    lines[#lines + 1] = text:sub(pos, nl - 1)
    pos = nl + 1
  end
  return lines, starts
end

-- Index (1-based) of the line holding byte `offset` (0-based), by binary search.
local function line_of(starts, offset)
  local lo, hi = 1, #starts
  while lo < hi do
    local mid = math.floor((lo + hi + 1) / 2)
    if starts[mid] <= offset then
      lo = mid
    else
      hi = mid - 1
    end
  end
  return lo
end

--- Translate `[start, end)` byte ranges of the text into buffer positions:
--- a list of `{line, col_start, col_end}` (0-based line, byte columns, end exclusive),
--- where `first_line` is the buffer line of the text's first line. A range over a
--- line break is split into one piece per line.
function M.ranges_to_positions(ranges, lines, starts, first_line)
  local out = {}
  local total = starts[#starts] + #lines[#lines]
  for _, r in ipairs(ranges or {}) do
    local s, e = tonumber(r[1]), tonumber(r[2])
    if s and e and e > s and s >= 0 then
      e = math.min(e, total)
      local li = line_of(starts, s)
      while li <= #lines and s < e do
        local line_end = starts[li] + #lines[li]
        local piece_end = math.min(e, line_end)
        if piece_end > s then
          out[#out + 1] = { first_line + li - 1, s - starts[li], piece_end - starts[li] }
        end
        li = li + 1
        if li <= #lines then
          s = starts[li]
        end
      end
    end
  end
  return out
end

-- Highlight bytes [col_start, col_end) of `line` (0-based): nvim_buf_add_highlight
-- where it exists (0.7 …), else an extmark (it is deprecated in 0.11).
local function add_highlight(buf, ns, group, line, col_start, col_end)
  if vim.api.nvim_buf_add_highlight then
    vim.api.nvim_buf_add_highlight(buf, ns, group, line, col_start, col_end)
  else
    vim.api.nvim_buf_set_extmark(buf, ns, line, col_start, { end_col = col_end, hl_group = group })
  end
end

--- Fill `buf` with the page `doc` (as `GET /documents/{id}` answers it) and mark the
--- matched words. Returns the positions of the highlights.
function M.render(buf, doc)
  local header, keys = M.header(doc)
  local text = client.value(doc.text) or ''
  local lines, starts = M.split_lines(text)
  local all = {}
  vim.list_extend(all, header)
  all[#all + 1] = ''
  local first_line = #all
  vim.list_extend(all, lines)

  vim.bo[buf].modifiable = true
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, all)
  vim.bo[buf].modifiable = false
  vim.bo[buf].modified = false

  vim.api.nvim_buf_clear_namespace(buf, M.header_ns, 0, -1)
  vim.api.nvim_buf_clear_namespace(buf, M.ns, 0, -1)
  for i, klen in ipairs(keys) do
    add_highlight(buf, M.header_ns, 'HittaKey', i - 1, 0, klen)
    if i == 1 then
      add_highlight(buf, M.header_ns, 'HittaTitle', 0, klen + 1, #header[1])
    end
  end

  local hl = client.value(doc.highlights)
  local positions = M.ranges_to_positions(type(hl) == 'table' and hl or {}, lines, starts, first_line)
  for _, p in ipairs(positions) do
    add_highlight(buf, M.ns, 'HittaMatch', p[1], p[2], p[3])
  end
  return positions
end

return M
