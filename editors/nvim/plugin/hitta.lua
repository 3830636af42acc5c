-- hitta.nvim: commands, mappings and autocommands. The work is in lua/hitta/.
if vim.g.loaded_hitta then
  return
end
vim.g.loaded_hitta = true

if vim.fn.has('nvim-0.7') ~= 1 then
  vim.notify('hitta: needs Neovim 0.7 or later', vim.log.levels.ERROR)
  return
end

local function hitta()
  return require('hitta')
end

vim.api.nvim_create_user_command('Hitta', function(cmd)
  hitta().command('pick', cmd)
end, {
  nargs = '*',
  range = true,
  desc = 'hitta: search (argument, selection or word under the cursor) and open a hit',
})

vim.api.nvim_create_user_command('HittaQf', function(cmd)
  hitta().command('qf', cmd)
end, {
  nargs = '*',
  range = true,
  desc = 'hitta: search and put the hits in the quickfix list',
})

vim.api.nvim_create_user_command('HittaOpen', function(cmd)
  hitta().open(vim.trim(cmd.args))
end, {
  nargs = '+',
  desc = 'hitta: open the cleaned page with this document id',
})

vim.api.nvim_set_keymap('n', '<Plug>(hitta-word)', '<Cmd>Hitta<CR>', { noremap = true, silent = true })
vim.api.nvim_set_keymap('x', '<Plug>(hitta-selection)', ':Hitta<CR>', { noremap = true, silent = true })

local group = vim.api.nvim_create_augroup('hitta', { clear = true })

local function highlights()
  require('hitta.view').define_highlights()
end
highlights()
vim.api.nvim_create_autocmd('ColorScheme', { group = group, callback = highlights })

-- `:edit hitta://ID` and jumps from the quickfix list load the page.
vim.api.nvim_create_autocmd('BufReadCmd', {
  group = group,
  pattern = 'hitta://*',
  callback = function(ev)
    hitta()._read_cmd(ev.buf, vim.api.nvim_buf_get_name(ev.buf))
  end,
})
