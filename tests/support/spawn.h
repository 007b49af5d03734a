#pragma once

// Starting a child process from a test: the one place the tests fork.
//
// fork + exec rather than posix_spawn, so the child can ask for SIGKILL when the thread that
// started it ends (PR_SET_PDEATHSIG). A test process that a sanitizer aborts, a failed ASSERT
// that skips a destructor, or a bench killed with ^C then never leaves a daemon behind holding
// its data directory and port. Start long-lived children (daemons, receivers) from a thread
// that outlives them: the test's own thread, not a helper thread that returns.

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

extern char** environ;

namespace rectify::test_support {

// Where a child's standard streams go. An empty path leaves that stream the parent's.
struct ChildIo {
  std::string in = "/dev/null";
  std::string out = "/dev/null";
  std::string err = "/dev/null";
  bool append = false;      // open out and err with O_APPEND rather than truncating them
  bool err_to_out = false;  // stderr goes where stdout goes; `err` is not used
};

// Starts args[0] (a path, not looked up in PATH) with its standard streams redirected and the
// environment `envp`. Returns once the child has exec'd: its pid, or -1 with errno set when it
// could not start (a missing program included).
inline pid_t SpawnChild(const std::vector<std::string>& args, const ChildIo& io = {},
                        char** envp = environ) {
  std::vector<std::string> copy = args;
  std::vector<char*> argv;
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  const int out_flags = O_WRONLY | O_CREAT | O_CLOEXEC | (io.append ? O_APPEND : O_TRUNC);
  // Opened before the fork with O_CLOEXEC: another thread's child never inherits them, and
  // dup2 clears the flag on the three the child keeps.
  auto open_or_inherit = [](const std::string& path, int flags, int parent_fd) {
    return path.empty() ? parent_fd : open(path.c_str(), flags, 0644);
  };
  const int in_fd = open_or_inherit(io.in, O_RDONLY | O_CLOEXEC, 0);
  const int out_fd = open_or_inherit(io.out, out_flags, 1);
  const int err_fd = io.err_to_out ? out_fd : open_or_inherit(io.err, out_flags, 2);
  // The exec pipe: closed by a successful exec, or carrying errno when exec fails. Waiting on
  // it means the child has also set its death signal by the time this returns.
  int exec_pipe[2] = {-1, -1};
  pid_t pid = -1;
  int error = 0;
  if (in_fd < 0 || out_fd < 0 || err_fd < 0 || pipe2(exec_pipe, O_CLOEXEC) != 0) {
    error = errno;
  } else {
    const pid_t parent = getpid();
    pid = fork();
    if (pid == 0) {
      // Only async-signal-safe calls between fork and exec.
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() != parent) _exit(127);  // the parent died before prctl took effect
      if (in_fd != 0) dup2(in_fd, 0);
      if (out_fd != 1) dup2(out_fd, 1);
      if (err_fd != 2) dup2(err_fd, 2);
      execve(argv[0], argv.data(), envp);
      const int e = errno;
      (void)!write(exec_pipe[1], &e, sizeof e);
      _exit(127);
    }
    error = errno;
    close(exec_pipe[1]);
    if (pid > 0) {
      int child_error = 0;
      ssize_t n;
      while ((n = read(exec_pipe[0], &child_error, sizeof child_error)) < 0 && errno == EINTR) {
      }
      if (n == sizeof child_error) {
        waitpid(pid, nullptr, 0);
        pid = -1;
        error = child_error;
      }
    }
    close(exec_pipe[0]);
  }
  if (in_fd > 2) close(in_fd);
  if (out_fd > 2) close(out_fd);
  if (err_fd > 2 && err_fd != out_fd) close(err_fd);
  errno = error;
  return pid;
}

// Waits for a child to end: its exit code, or 128 + the signal that ended it; -1 if `pid` is
// not a child of this process.
inline int WaitChild(pid_t pid) {
  int status = 0;
  if (pid <= 0 || waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace rectify::test_support
