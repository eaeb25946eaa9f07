-- rsuv from Lua through luv, Debian's lua-luv module, unchanged: it is built against
-- libuv.so.1, so pointing the loader at rsuv's library is all it takes.
--
--   apt-get install lua5.1 lua-luv
--   LD_LIBRARY_PATH=$PREFIX/lib lua5.1 examples/lua/rsuv_demo.lua
--
-- A repeating timer, a TCP echo over loopback, an asynchronous file read (this script),
-- and a check that the libuv this process loaded is rsuv's: /proc/self/maps names the
-- libuv.so.1 file mapped, and rsuv's holds the name of its own environment variable
-- (RSUV_BACKEND), which no C libuv does. With RSUV_EXPECT_LIB=path, the mapped file must
-- also be that one. Exit status 0 only if every check held.
local uv = require("luv")

local failures = 0
local function check(cond, what)
  print((cond and "  ok    " or "  FAIL  ") .. what)
  if not cond then failures = failures + 1 end
end

print("libuv " .. uv.version_string() .. " through luv")

-- A repeating timer that stops itself after three ticks.
local ticks = 0
local timer = uv.new_timer()
timer:start(5, 5, function()
  ticks = ticks + 1
  if ticks == 3 then
    timer:stop()
    timer:close()
  end
end)

-- TCP echo over loopback: the server writes back what it reads.
local message = "hello from Lua, through rsuv"
local echoed = ""
local server = uv.new_tcp()
assert(server:bind("127.0.0.1", 0))
assert(server:listen(16, function(err)
  assert(not err, err)
  local conn = uv.new_tcp()
  server:accept(conn)
  conn:read_start(function(rerr, data)
    assert(not rerr, rerr)
    if data then
      conn:write(data)
    else
      conn:close()
    end
  end)
end))
local port = server:getsockname().port
local client = uv.new_tcp()
client:connect("127.0.0.1", port, function(err)
  assert(not err, err)
  client:read_start(function(rerr, data)
    assert(not rerr, rerr)
    if data then echoed = echoed .. data end
    if #echoed >= #message or not data then
      client:close()
      server:close()
    end
  end)
  client:write(message)
end)

-- Asynchronous file read (on the thread pool): this script's first line.
local script = arg and arg[0] or "examples/lua/rsuv_demo.lua"
local first_line
uv.fs_open(script, "r", 420, function(err, fd)
  assert(not err, err)
  uv.fs_read(fd, 4096, 0, function(rerr, data)
    assert(not rerr, rerr)
    first_line = data:match("^[^\n]*")
    uv.fs_close(fd, function() end)
  end)
end)

uv.run("default")
check(ticks == 3, "repeating timer ticked 3 times")
check(echoed == message, "TCP echo over loopback returned the message")
check(first_line ~= nil and first_line:find("rsuv from Lua", 1, true) ~= nil,
  "uv_fs_open/uv_fs_read read this script")
uv.loop_close()

-- Which libuv did this process load?
local mapped
for line in io.lines("/proc/self/maps") do
  local path = line:match("(/%S*libuv%.so[%w.]*)$")
  if path then mapped = path break end
end
check(mapped ~= nil, "a libuv.so is mapped: " .. tostring(mapped))
if mapped then
  local f = io.open(mapped, "rb")
  local bytes = f and f:read("*a") or ""
  if f then f:close() end
  check(bytes:find("RSUV_BACKEND", 1, true) ~= nil, "the loaded libuv is rsuv's")
  local want = os.getenv("RSUV_EXPECT_LIB")
  if want then
    local real = io.popen("realpath '" .. want .. "'"):read("*l")
    check(real == mapped, "it is " .. tostring(real))
  end
end

if failures > 0 then
  print(failures .. " check(s) failed")
  os.exit(1)
end
print("all checks passed")
