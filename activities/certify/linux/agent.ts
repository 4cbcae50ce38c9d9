/** LNX-039 / LNX-051: the Azure Linux Agent is installed, recent enough, and updates itself. */
import type { Files } from './fs-reader';
import type { Add } from './outcome';
import { agentConf, compareVersions, parseVersion, versionText } from './text-formats';

export const MIN_AGENT = [2, 2, 41];

const AGENT_PYTHON_DIRS = [
  '/usr/lib/python3/dist-packages',
  '/usr/lib/python3.*/site-packages',
  '/usr/lib/python3.*/dist-packages',
  '/usr/local/lib/python3.*/dist-packages',
  '/usr/local/lib/python3.*/site-packages',
  '/usr/lib/python2.*/site-packages',
  '/usr/lib/python2.*/dist-packages',
];
const INSTALL_AGENT =
  'Install the Azure Linux Agent from the distribution (`sudo apt-get install walinuxagent`, `sudo dnf install WALinuxAgent` or `sudo zypper install python-azure-agent`), ' +
  'enable it (`sudo systemctl enable walinuxagent` on Debian/Ubuntu, `sudo systemctl enable waagent` elsewhere), then run `sudo waagent -deprovision+user`, shut down and capture the image again';

export async function agentVersion(files: Files, add: Add): Promise<void> {
  const binary = (await files.isFile('/usr/sbin/waagent')) ? '/usr/sbin/waagent' : (await files.isFile('/usr/bin/waagent')) ? '/usr/bin/waagent' : undefined;
  if (!binary) return add('Failed', 'no /usr/sbin/waagent or /usr/bin/waagent', `${INSTALL_AGENT}.`);

  const found: Array<{ version: number[]; where: string }> = [];
  for (const pattern of AGENT_PYTHON_DIRS) {
    for (const dir of await files.glob(pattern)) {
      const path = `${dir}/azurelinuxagent/common/version.py`;
      const text = await files.text(path);
      const m = text && /^AGENT_VERSION\s*=\s*['"]([^'"]+)['"]/m.exec(text);
      const version = m ? parseVersion(m[1]) : undefined;
      if (version) found.push({ version, where: path });
    }
  }
  for (const name of await files.names('/var/lib/waagent')) {
    const m = /^WALinuxAgent-(\d+(?:\.\d+)+)$/.exec(name);
    if (m) found.push({ version: parseVersion(m[1])!, where: `/var/lib/waagent/${name}` });
  }
  if (!found.length) {
    return add(
      'Warning',
      `${binary} present, but its version could not be determined (no azurelinuxagent/common/version.py or /var/lib/waagent/WALinuxAgent-* found)`,
      `Check with \`waagent --version\` that the agent is ${versionText(MIN_AGENT)} or later; if not, ${INSTALL_AGENT.replace(/^Install/, 'install')}.`,
    );
  }
  const best = found.reduce((a, b) => (compareVersions(b.version, a.version) > 0 ? b : a));
  const actual = `${versionText(best.version)} (from ${best.where})`;
  if (compareVersions(best.version, MIN_AGENT) >= 0) return add('Passed', actual);
  add(
    'Failed',
    actual,
    `Update the agent to ${versionText(MIN_AGENT)} or later (\`sudo apt-get install --only-upgrade walinuxagent\`, \`sudo dnf update WALinuxAgent\` or \`sudo zypper update python-azure-agent\`), ` +
      'then run `sudo waagent -deprovision+user`, shut down and capture the image again.',
  );
}

/**
 * A missing `AutoUpdate.Enabled` passes: the agent's built-in default is `y`. A missing
 * /etc/waagent.conf fails: every agent package installs one, so its absence means a broken install.
 */
export async function agentAutoUpdate(files: Files, add: Add): Promise<void> {
  const fix =
    "Enable agent auto-update: `sudo sed -i 's/^\\s*AutoUpdate.Enabled\\s*=.*/AutoUpdate.Enabled=y/' /etc/waagent.conf` " +
    "(add the line `AutoUpdate.Enabled=y` if there is none), then run `sudo waagent -deprovision+user`, shut down and capture the image again.";
  const text = await files.text('/etc/waagent.conf');
  if (text === undefined) return add('Failed', 'no /etc/waagent.conf', `${INSTALL_AGENT}; the package installs /etc/waagent.conf.`);
  const value = agentConf(text).get('AutoUpdate.Enabled');
  if (value === undefined) return add('Passed', 'not set (the agent defaults to y)');
  if (value.toLowerCase() === 'y') return add('Passed', `AutoUpdate.Enabled=${value}`);
  add('Failed', `AutoUpdate.Enabled=${value}`, fix);
}
