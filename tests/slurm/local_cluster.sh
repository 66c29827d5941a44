#!/usr/bin/env bash
# A real single-node SLURM cluster on this machine, from Debian's packages, for the cluster
# test (tests/test_slurm.py) and the SLURM benchmark. Needs root (it writes /etc/slurm and
# starts the daemons). Usage: local_cluster.sh install | start | stop | status
#
# Notes (see ../shared/design/stack-notes.md): no slurmdbd, so accounting is off and job
# states come from squeue (`--slurm-status-command squeue`), with MinJobAge high enough that
# finished jobs stay visible; the executor's job-step plugin strips SLURM_* variables, so the
# config must be at the default path /etc/slurm/slurm.conf.
set -euo pipefail

PACKAGES="slurm-wlm slurmctld slurmd slurm-client munge"

install() {
  if command -v slurmctld >/dev/null && command -v munged >/dev/null; then return 0; fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $PACKAGES >/dev/null
}

write_conf() {
  mkdir -p /etc/slurm /var/spool/slurmd /var/spool/slurmctld /var/log/slurm /run/munge
  local node
  node=$(slurmd -C | head -1 | sed 's/NodeName=[^ ]*/NodeName=localhost/; s/ UpTime=.*//')
  cat > /etc/slurm/slurm.conf <<CONF
# Written by ipseval tests/slurm/local_cluster.sh: single-node test cluster.
ClusterName=ipseval
SlurmctldHost=localhost
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
MinJobAge=3600
ReturnToService=2
SlurmUser=root
SlurmdUser=root
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmdSpoolDir=/var/spool/slurmd
StateSaveLocation=/var/spool/slurmctld
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
$node State=UNKNOWN
PartitionName=main Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
}

start() {
  install
  if sinfo -h -o %T 2>/dev/null | grep -qx idle; then return 0; fi
  write_conf
  if [ ! -s /etc/munge/munge.key ]; then
    mkdir -p /etc/munge
    dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key 2>/dev/null
  fi
  chown -R munge:munge /etc/munge /run/munge /var/lib/munge /var/log/munge 2>/dev/null || true
  chmod 400 /etc/munge/munge.key
  pgrep -x munged >/dev/null || runuser -u munge -- munged
  pgrep -x slurmctld >/dev/null || slurmctld
  pgrep -x slurmd >/dev/null || slurmd
  for _ in $(seq 1 30); do
    if sinfo -h -o %T 2>/dev/null | grep -qx idle; then return 0; fi
    scontrol update nodename=localhost state=resume >/dev/null 2>&1 || true
    sleep 1
  done
  echo "local SLURM cluster did not come up; see /var/log/slurm/" >&2
  sinfo >&2 || true
  return 1
}

stop() {
  pkill -x slurmd || true
  pkill -x slurmctld || true
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  status) sinfo ;;
  *) echo "usage: $0 install|start|stop|status" >&2; exit 2 ;;
esac
